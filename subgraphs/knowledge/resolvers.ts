import type { IResolvers } from '@graphql-tools/utils';
import type { SqlStore } from '../shared/sql-store.js';
import type { SubgraphContext } from '../shared/types.js';
import { badUserInput, forbidden } from '../shared/errors.js';
import { checkFirst, checkIds, checkOffset } from '../shared/limits.js';
import type { DocumentRecord } from './generate-documents.js';
import type { NoteRecord } from './generate-notes.js';
import { selectDocuments, type KnowledgeLoaders } from './loaders.js';
import type { NoteSearch } from './note-search.js';
import type { KnowledgeSearch } from './search-index.js';

type Context = SubgraphContext<KnowledgeLoaders>;

/** The scope that opens confidential bodies (also enforced by the gateway: defense in depth). */
export const CONFIDENTIAL_SCOPE = 'Knowledge.Read.Confidential';
export const MAX_QUERY_LENGTH = 500;

interface CustomerRef {
  id: string;
}

// Without a verified caller (auth: false in unit tests) nothing confidential is readable.
const mayReadConfidential = (context: Context): boolean => context.caller?.scopes.has(CONFIDENTIAL_SCOPE) ?? false;
const customerOf = (document: DocumentRecord): CustomerRef | null => (document.customerId === null ? null : { id: document.customerId });

interface PassageValue {
  document: DocumentRecord;
  score: number;
  snippet: string;
}

function checkQuery(text: string): string {
  const query = text.trim();
  if (query.length === 0) throw badUserInput('query must not be empty');
  if (text.length > MAX_QUERY_LENGTH) throw badUserInput(`query must be at most ${MAX_QUERY_LENGTH} characters`);
  return query;
}

async function passages(index: KnowledgeSearch, query: string, first: number, context: Context): Promise<PassageValue[]> {
  const hits = index.search(query, { first, confidential: mayReadConfidential(context) });
  const documents = await context.loaders.document.loadMany(hits.map((hit) => hit.id));
  return hits.flatMap((hit, i) => {
    const document = documents[i];
    return document && !(document instanceof Error) ? [{ document, score: hit.score, snippet: hit.snippet }] : [];
  });
}

export function knowledgeResolvers(store: SqlStore, index: KnowledgeSearch, notes: NoteSearch): IResolvers<unknown, Context> {
  return {
    Query: {
      document: (_: unknown, { id }: { id: string }, { loaders }: Context) => loaders.document.load(id),
      documents: (_: unknown, args: { first: number; offset: number; classification?: string | null }, { loaders }: Context) => {
        const rows = selectDocuments(
          store,
          '(@classification IS NULL OR classification = @classification)',
          { classification: args.classification ?? null, first: checkFirst(args.first), offset: checkOffset(args.offset) },
          'ORDER BY id LIMIT @first OFFSET @offset',
        );
        for (const row of rows) loaders.document.prime(row.id, row);
        return rows;
      },
      search: (_: unknown, args: { query: string; first: number }, context: Context) =>
        passages(index, checkQuery(args.query), checkFirst(args.first), context),
      // Documents and notes ranked together. BM25 scores of two indexes are not comparable, so
      // each kind is scored relative to its own best hit: the best of each kind comes first.
      find: async (_: unknown, args: { query: string; first: number }, context: Context) => {
        const query = checkQuery(args.query);
        const first = checkFirst(args.first);
        const noteHits = notes.search(query, first);
        const [found, loaded] = await Promise.all([passages(index, query, first, context), context.loaders.note.loadMany(noteHits.map((h) => h.id))]);
        const noteValues = noteHits.flatMap((hit, i) => {
          const note = loaded[i];
          return note && !(note instanceof Error) ? [{ note, score: hit.score }] : [];
        });
        const topPassage = found[0]?.score ?? 1;
        const topNote = noteValues[0]?.score ?? 1;
        const ranked: { relevance: number; value: PassageValue | NoteRecord }[] = [
          ...found.map((p) => ({ relevance: p.score / topPassage, value: p })),
          ...noteValues.map((n) => ({ relevance: n.score / topNote, value: n.note })),
        ];
        // Stable sort: on a tie, passages (listed first) come first.
        return ranked.sort((a, b) => b.relevance - a.relevance).slice(0, first).map((r) => r.value);
      },
      _knowledgeCustomersByIds: (_: unknown, { ids }: { ids: string[] }): CustomerRef[] => checkIds(ids).map((id) => ({ id })),
    },
    Customer: {
      documents: async (customer: CustomerRef, { first }: { first: number }, { loaders }: Context) => {
        const limit = checkFirst(first);
        return (await loaders.documentsByCustomer.load(customer.id)).slice(0, limit);
      },
      notes: async (customer: CustomerRef, { first }: { first: number }, { loaders }: Context) => {
        const limit = checkFirst(first);
        return (await loaders.notesByCustomer.load(customer.id)).slice(0, limit);
      },
    },
    CustomerNote: {
      customer: (note: NoteRecord): CustomerRef => ({ id: note.customerId }),
    },
    SearchHit: {
      __resolveType: (hit: PassageValue | NoteRecord) => ('document' in hit ? 'Passage' : 'CustomerNote'),
    },
    Document: {
      __resolveType: (document: DocumentRecord) => (document.classification === 'CONFIDENTIAL' ? 'ConfidentialDocument' : 'StandardDocument'),
    },
    StandardDocument: {
      customer: customerOf,
    },
    ConfidentialDocument: {
      customer: customerOf,
      body: (document: DocumentRecord, _: unknown, context: Context) => {
        if (!mayReadConfidential(context)) throw forbidden(`The body of a confidential document needs the ${CONFIDENTIAL_SCOPE} scope`);
        return document.body;
      },
    },
  };
}
