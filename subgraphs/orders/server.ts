import { buildSubgraph, normalizeSubgraphOptions, readTypeDefs } from '../shared/create-subgraph.js';
import type { Subgraph, SubgraphOptions } from '../shared/types.js';
import { createOrdersStore } from './data.js';
import { createOrdersLoaders } from './loaders.js';
import { ordersResolvers } from './resolvers.js';

/**
 * The orders (sales) data product: about 1,500 orders of the customers `C-0001`..`C-0300`
 * over two years, in an in-memory SQLite database seeded from `options.seed`.
 *
 * @example
 * const orders = createOrdersSubgraph({ auth: { issuer, jwksUri, audiences: [clientId, 'api://orders'] } });
 */
export function createOrdersSubgraph(options: SubgraphOptions): Subgraph {
  const normalized = normalizeSubgraphOptions('orders', options);
  const typeDefs = readTypeDefs(new URL('./typeDefs.graphql', import.meta.url));
  const store = createOrdersStore(normalized.seed);
  return buildSubgraph(
    { name: 'orders', typeDefs, resolvers: ordersResolvers(store), store, createLoaders: () => createOrdersLoaders(store) },
    normalized,
  );
}
