import { buildSubgraph, normalizeSubgraphOptions, readTypeDefs } from '../shared/create-subgraph.js';
import type { Subgraph, SubgraphOptions } from '../shared/types.js';
import { createCustomersStore } from './data.js';
import { createCustomersLoaders } from './loaders.js';
import { customersResolvers } from './resolvers.js';

/**
 * The customers (CRM) data product: 300 customers, `C-0001`..`C-0300`, in an in-memory SQLite
 * database seeded from `options.seed`.
 *
 * @example
 * const customers = createCustomersSubgraph({ auth: { issuer, jwksUri, audiences: [clientId, 'api://customers'] } });
 * const { url } = await listenSubgraph(customers);
 */
export function createCustomersSubgraph(options: SubgraphOptions): Subgraph {
  const normalized = normalizeSubgraphOptions('customers', options);
  const typeDefs = readTypeDefs(new URL('./typeDefs.graphql', import.meta.url));
  const store = createCustomersStore(normalized.seed);
  return buildSubgraph(
    { name: 'customers', typeDefs, resolvers: customersResolvers(store), store, createLoaders: () => createCustomersLoaders(store) },
    normalized,
  );
}
