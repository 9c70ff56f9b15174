import { buildSubgraph, normalizeSubgraphOptions, readTypeDefs } from '../shared/create-subgraph.js';
import type { Subgraph, SubgraphOptions } from '../shared/types.js';
import { createKnowledgeStore } from './data.js';
import { createKnowledgeLoaders } from './loaders.js';
import { knowledgeResolvers } from './resolvers.js';
import { NoteSearch } from './note-search.js';
import { KnowledgeSearch } from './search-index.js';

/**
 * The knowledge data product: 60 documents `D-001`..`D-060` (20% confidential, half about a
 * customer) and 48 customer notes `N-001`..`N-048`, in an in-memory SQLite database with BM25
 * search indexes. Confidential bodies are readable and searchable only with
 * `Knowledge.Read.Confidential` in the caller's token.
 *
 * @example
 * const knowledge = createKnowledgeSubgraph({ auth: { issuer, jwksUri, audiences: [clientId, 'api://knowledge'] } });
 */
export function createKnowledgeSubgraph(options: SubgraphOptions): Subgraph {
  const normalized = normalizeSubgraphOptions('knowledge', options);
  const typeDefs = readTypeDefs(new URL('./typeDefs.graphql', import.meta.url));
  const { store, documents, notes } = createKnowledgeStore(normalized.seed);
  const index = new KnowledgeSearch(documents);
  const noteIndex = new NoteSearch(notes);
  return buildSubgraph(
    { name: 'knowledge', typeDefs, resolvers: knowledgeResolvers(store, index, noteIndex), store, createLoaders: () => createKnowledgeLoaders(store) },
    normalized,
  );
}
