import type { IResolvers } from '@graphql-tools/utils';
import { BENCH_SCOPES } from '../bench-directory.js';
import { STITCHING_PRELUDE } from './bench-subgraphs.js';

/**
 * Generated stitching subgraph `i` of the scaling measurement: its own type and root field,
 * plus a share of `Product` merged across all of them by `upc`, so that composition grows
 * with the number of subgraphs the way a real mesh does (many owners extending one entity).
 */
export interface ScalingSubgraphDefinition {
  readonly sdl: string;
  readonly resolvers: IResolvers;
}

export function scalingSubgraph(i: number): ScalingSubgraphDefinition {
  const sdl = /* GraphQL */ `${STITCHING_PRELUDE}
type Item${i} {
  id: ID!
  name: String!
  value: Int @requiresScopes(scopes: [["${BENCH_SCOPES.items}"]])
  product: Product
}

type Product @key(selectionSet: "{ upc }") {
  upc: ID!
  attr${i}: String @authenticated
}

type Query {
  items${i}(first: Int = 5): [Item${i}!]! @authenticated
  _sg${i}ProductsByUpcs(upcs: [ID!]!): [Product]! @merge(keyField: "upc")
  _sdl: String!
}
`;
  const items = Array.from({ length: 20 }, (_, n) => ({ id: `sg${i}-${n + 1}`, name: `Item ${n + 1} of subgraph ${i}`, value: n * (i + 1), upc: `p${n + 1}` }));
  return {
    sdl,
    resolvers: {
      Query: {
        [`items${i}`]: (_: unknown, args: { first?: number }) => items.slice(0, args.first ?? 5),
        [`_sg${i}ProductsByUpcs`]: (_: unknown, args: { upcs: string[] }) => args.upcs.map((upc) => ({ upc })),
        _sdl: () => sdl,
      },
      [`Item${i}`]: { product: (item: { upc: string }) => ({ upc: item.upc }) },
      Product: { [`attr${i}`]: (product: { upc: string }) => `${product.upc} in subgraph ${i}` },
    },
  };
}

/** What `itemsQuery(i)` must return. */
export function expectedItems(i: number, first: number): unknown {
  return {
    [`items${i}`]: Array.from({ length: first }, (_, n) => ({ id: `sg${i}-${n + 1}`, name: `Item ${n + 1} of subgraph ${i}`, value: n * (i + 1) })),
  };
}
