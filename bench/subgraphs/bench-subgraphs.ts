import type { IResolvers } from '@graphql-tools/utils';
import { productByUpc, reviewsOf, topProducts, WIDE, WIDE_FIELDS, type Product } from './bench-data.js';

/**
 * The two bench subgraphs, each in two flavours over the same data and resolver functions:
 * stitching (stitching directives, `_sdl`, merge resolvers; meshgate's and the plain stitch
 * gateway's view, with the authorization directives meshgate enforces) and Apollo Federation
 * (`@key`, `_entities`; the view of Hive Gateway and Apollo Gateway, which enforce nothing).
 */

export type BenchSubgraphName = 'products' | 'reviews';

export interface BenchSubgraphDefinition {
  /** Stitching SDL: what `{ _sdl }` returns. */
  readonly stitchingSdl: string;
  readonly stitchingResolvers: IResolvers;
  /** Federation 2 SDL for `buildSubgraphSchema`. */
  readonly federationSdl: string;
  readonly federationResolvers: IResolvers;
}

/** Directive definitions every stitching subgraph declares (see schema/*.graphql). */
export const STITCHING_PRELUDE = /* GraphQL */ `
directive @key(selectionSet: String!) on OBJECT
directive @computed(selectionSet: String!) on FIELD_DEFINITION
directive @merge(argsExpr: String, keyArg: String, keyField: String, key: [String!], additionalArgs: String) on FIELD_DEFINITION
directive @canonical on OBJECT | INTERFACE | INPUT_OBJECT | UNION | ENUM | SCALAR | FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
`;

const FEDERATION_LINK = /* GraphQL */ `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])`;

// Every tenth field of Wide carries a scope rule, so authorization has work in proportion.
// Fields with a rule are nullable (in both flavours): a denied field is answered with null.
function wideType(withRules: boolean): string {
  const rule = ' @requiresScopes(scopes: [["Bench.Products.Read"]])';
  const field = (i: number) => (i % 10 === 0 ? `  f${i}: Int${withRules ? rule : ''}` : `  f${i}: Int!`);
  return `type Wide {\n${Array.from({ length: WIDE_FIELDS }, (_, i) => field(i)).join('\n')}\n}`;
}

const PRODUCTS_STITCHING_SDL = /* GraphQL */ `${STITCHING_PRELUDE}
type Product @key(selectionSet: "{ upc }") {
  upc: ID!
  name: String!
  price: Int @requiresScopes(scopes: [["Bench.Products.Read"]])
  weight: Int!
}

${wideType(true)}

type Query {
  topProducts(first: Int = 5): [Product!]! @authenticated
  product(upc: ID!): Product @authenticated
  wide: Wide! @authenticated
  _productsByUpcs(upcs: [ID!]!): [Product]! @merge(keyField: "upc")
  _sdl: String!
}
`;

const PRODUCTS_FEDERATION_SDL = /* GraphQL */ `${FEDERATION_LINK}
type Product @key(fields: "upc") {
  upc: ID!
  name: String!
  price: Int
  weight: Int!
}

${wideType(false)}

type Query {
  topProducts(first: Int = 5): [Product!]!
  product(upc: ID!): Product
  wide: Wide!
}
`;

const REVIEWS_STITCHING_SDL = /* GraphQL */ `${STITCHING_PRELUDE}
type Review {
  id: ID!
  body: String!
  rating: Int @authenticated
}

type Product @key(selectionSet: "{ upc }") {
  upc: ID!
  reviews: [Review!] @requiresScopes(scopes: [["Bench.Reviews.Read"]])
}

type Query {
  _reviewProductsByUpcs(upcs: [ID!]!): [Product]! @merge(keyField: "upc")
  _sdl: String!
}
`;

const REVIEWS_FEDERATION_SDL = /* GraphQL */ `${FEDERATION_LINK}
type Review {
  id: ID!
  body: String!
  rating: Int
}

type Product @key(fields: "upc") {
  upc: ID!
  reviews: [Review!]
}
`;

// Shared resolver functions: the two flavours differ only in how entities are looked up.
const productQueries = {
  topProducts: (_: unknown, args: { first?: number }) => topProducts(args.first ?? 5),
  product: (_: unknown, args: { upc: string }) => productByUpc(args.upc),
  wide: () => WIDE,
};
const productReviews = { reviews: (product: { upc: string }) => reviewsOf(product.upc) };

export const BENCH_SUBGRAPHS: Readonly<Record<BenchSubgraphName, BenchSubgraphDefinition>> = {
  products: {
    stitchingSdl: PRODUCTS_STITCHING_SDL,
    stitchingResolvers: {
      Query: {
        ...productQueries,
        _productsByUpcs: (_: unknown, args: { upcs: string[] }) => args.upcs.map((upc) => productByUpc(upc)),
        _sdl: () => PRODUCTS_STITCHING_SDL,
      },
    },
    federationSdl: PRODUCTS_FEDERATION_SDL,
    federationResolvers: {
      Query: productQueries,
      Product: { __resolveReference: (reference: { upc: string }): Product | null => productByUpc(reference.upc) },
    },
  },
  reviews: {
    stitchingSdl: REVIEWS_STITCHING_SDL,
    stitchingResolvers: {
      Query: {
        _reviewProductsByUpcs: (_: unknown, args: { upcs: string[] }) => args.upcs.map((upc) => ({ upc })),
        _sdl: () => REVIEWS_STITCHING_SDL,
      },
      Product: productReviews,
    },
    federationSdl: REVIEWS_FEDERATION_SDL,
    federationResolvers: {
      Product: { __resolveReference: (reference: { upc: string }) => ({ upc: reference.upc }), ...productReviews },
    },
  },
};
