import type { IResolvers } from '@graphql-tools/utils';
import type { SqlStore } from '../shared/sql-store.js';
import type { SubgraphContext } from '../shared/types.js';
import { badUserInput, forbidden } from '../shared/errors.js';
import { checkFirst, checkIds, checkOffset } from '../shared/limits.js';
import type { DocumentRecord } from './generate-documents.js';
import { selectDocuments, type KnowledgeLoaders } from './loaders.js';
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

export function knowledgeResolvers(store: SqlStore, index: KnowledgeSearch): IResolvers<unknown, Context> {
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
      search: async (_: unknown, args: { query: string; first: number }, context: Context) => {
        const query = args.query.trim();
        if (query.length === 0) throw badUserInput('query must not be empty');
        if (args.query.length > MAX_QUERY_LENGTH) throw badUserInput(`query must be at most ${MAX_QUERY_LENGTH} characters`);
        const hits = index.search(query, { first: checkFirst(args.first), confidential: mayReadConfidential(context) });
        const documents = await context.loaders.document.loadMany(hits.map((hit) => hit.id));
        return hits.flatMap((hit, i) => {
          const document = documents[i];
          return document && !(document instanceof Error) ? [{ document, score: hit.score, snippet: hit.snippet }] : [];
        });
      },
      _knowledgeCustomersByIds: (_: unknown, { ids }: { ids: string[] }): CustomerRef[] => checkIds(ids).map((id) => ({ id })),
    },
    Customer: {
      documents: async (customer: CustomerRef, { first }: { first: number }, { loaders }: Context) => {
        const limit = checkFirst(first);
        return (await loaders.documentsByCustomer.load(customer.id)).slice(0, limit);
      },
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
