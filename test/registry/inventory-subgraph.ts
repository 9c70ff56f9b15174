import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import type { DevApp } from '../../src/idp/demo-directory.js';
import { useRequireAudience } from '../../subgraphs/shared/require-audience.js';

/**
 * A fourth data product for the registry tests: inventory, owned by its own team, with its own
 * audience (`api://inventory`) registered in the dev identity provider's directory, so the
 * gateway really exchanges callers' tokens for it and the subgraph really checks them. Its SDL
 * can be changed while it runs, the way a team deploys a new version.
 */
export const INVENTORY_APP = {
  clientId: '5e2f8a10-3c4d-4b6e-9f70-1a2b3c4d5e01',
  displayName: 'Inventory data product',
  appIdUri: 'api://inventory',
  exposedScopes: ['Inventory.Read'],
} as const satisfies DevApp;

/** The inventory team's CI pipeline: an app that owns the inventory registration. */
export const INVENTORY_TEAM_APP = {
  clientId: '5e2f8a10-3c4d-4b6e-9f70-1a2b3c4d5e02',
  displayName: 'Inventory team CI',
  clientSecret: 'dev-inventory-ci-secret',
} as const satisfies DevApp;

const DIRECTIVES = /* GraphQL */ `
directive @key(selectionSet: String!) on OBJECT
directive @merge(argsExpr: String, keyArg: String, keyField: String, key: [String!], additionalArgs: String) on FIELD_DEFINITION
directive @canonical on OBJECT | INTERFACE | INPUT_OBJECT | UNION | ENUM | SCALAR | FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
`;

/** Version 1: products with stock (needs Inventory.Read), and each customer's favourite product. */
export const INVENTORY_V1 = `${DIRECTIVES}
type Product @key(selectionSet: "{ sku }") {
  sku: ID!
  name: String!
  "Units on hand: needs Inventory.Read."
  stock: Int @requiresScopes(scopes: [["Inventory.Read"]])
}

"The inventory data product's view of a customer: merged onto the CRM's Customer by id."
type Customer @key(selectionSet: "{ id }") {
  id: ID!
  favouriteProduct: Product @authenticated
}

type Query {
  product(sku: ID!): Product @authenticated
  products: [Product!]! @authenticated
  _inventoryCustomersByIds(ids: [ID!]!): [Customer]! @merge(keyField: "id")
  _sdl: String!
}
`;

/** Version 2, compatible: a new field. */
export const INVENTORY_V2 = INVENTORY_V1.replace('  name: String!\n', '  name: String!\n  "Where the stock is kept."\n  warehouse: String\n');

/** Breaking: `Product.name` removed. */
export const INVENTORY_BREAKING = INVENTORY_V2.replace('  name: String!\n', '');

/** Weakening: the rule on `Product.stock` dropped. */
export const INVENTORY_DROPPED_RULE = INVENTORY_V2.replace('stock: Int @requiresScopes(scopes: [["Inventory.Read"]])', 'stock: Int');

/** Does not compose: `Customer` is an object type everywhere else. */
export const INVENTORY_NOT_COMPOSING = INVENTORY_V2.replace(
  'type Customer @key(selectionSet: "{ id }") {\n  id: ID!\n  favouriteProduct: Product @authenticated\n}',
  'interface Customer {\n  id: ID!\n}',
).replace('  _inventoryCustomersByIds(ids: [ID!]!): [Customer]! @merge(keyField: "id")\n', '');

const PRODUCTS = [
  { sku: 'P-100', name: 'Ledger paper', warehouse: 'Rotterdam', stock: 1200 },
  { sku: 'P-200', name: 'Fountain pen', warehouse: 'Lyon', stock: 85 },
  { sku: 'P-300', name: 'Brass compass', warehouse: 'Rotterdam', stock: 12 },
];

/** `held.gate`: while set, `products` waits for it (a request held in flight). */
const inventoryResolvers = (held: { gate?: Promise<void> | undefined }) => ({
  Query: {
    product: (_: unknown, { sku }: { sku: string }) => PRODUCTS.find((p) => p.sku === sku) ?? null,
    products: async () => {
      await held.gate;
      return PRODUCTS;
    },
    _inventoryCustomersByIds: (_: unknown, { ids }: { ids: string[] }) => ids.map((id) => ({ id })),
    _sdl: (_: unknown, __: unknown, context: { sdl: string }) => context.sdl,
  },
  Customer: {
    // A stable pick per customer: C-0001 → P-200, C-0002 → P-300, ...
    favouriteProduct: ({ id }: { id: string }) => PRODUCTS[Number(id.replace(/\D/g, '')) % PRODUCTS.length],
  },
});

/** A running test subgraph. */
export interface TestSubgraph {
  readonly url: string;
  /** What `{ _sdl }` answers from now on; the served schema follows when the SDL builds. */
  setSdl(sdl: string): void;
  /** Operations received (their text), for checking what the gateway sent. */
  readonly operations: string[];
  close(): Promise<void>;
}

export interface InventorySubgraph extends TestSubgraph {
  /** Holds every `products` request until the returned function is called. */
  hold(): () => void;
}

/**
 * Serves the inventory subgraph on loopback, accepting only tokens of its own audience issued by
 * `issuer` (the same check as the sample subgraphs).
 */
export async function startInventorySubgraph(auth: { issuer: string; jwksUri: string }, sdl = INVENTORY_V1): Promise<InventorySubgraph> {
  const held: { gate?: Promise<void> | undefined } = {};
  const subgraph = await startTestSubgraph(auth, INVENTORY_APP, sdl, inventoryResolvers(held));
  return {
    ...subgraph,
    hold() {
      let release!: () => void;
      held.gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        held.gate = undefined;
        release();
      };
    },
  };
}

/** Apps of small "shelf" subgraphs, each with its own audience, for concurrent registrations. */
export const SHELF_APPS = [1, 2, 3, 4, 5].map((n) => ({
  clientId: `5e2f8a10-3c4d-4b6e-9f70-1a2b3c4d5f0${n}`,
  displayName: `Shelf ${n} data product`,
  appIdUri: `api://shelf-${n}`,
  exposedScopes: ['Shelf.Read'],
})) satisfies DevApp[];

/** A tiny data product of its own: `shelf<n>: [Shelf<n>Item!]!`. */
export function shelfSdl(n: number): string {
  return `${DIRECTIVES}
type Shelf${n}Item {
  id: ID!
  label: String!
}

type Query {
  shelf${n}: [Shelf${n}Item!]! @authenticated
  _sdl: String!
}
`;
}

export function startShelfSubgraph(auth: { issuer: string; jwksUri: string }, n: number): Promise<TestSubgraph> {
  const app = SHELF_APPS[n - 1] as DevApp;
  return startTestSubgraph(auth, app, shelfSdl(n), {
    Query: { [`shelf${n}`]: () => [{ id: `${n}-1`, label: `shelf ${n}, first item` }], _sdl: (_: unknown, __: unknown, context: { sdl: string }) => context.sdl },
  });
}

type Resolvers = Parameters<typeof createSchema>[0]['resolvers'];

async function startTestSubgraph(auth: { issuer: string; jwksUri: string }, app: DevApp, sdl: string, resolvers: Resolvers): Promise<TestSubgraph> {
  const build = (text: string): GraphQLSchema => createSchema({ typeDefs: text, resolvers, resolverValidationOptions: { requireResolversToMatchSchema: 'ignore' } });
  let advertised = sdl;
  let schema = build(sdl);
  const operations: string[] = [];
  const yoga = createYoga<Record<string, unknown>>({
    schema: () => schema,
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    maskedErrors: true,
    plugins: [
      useRequireAudience({ issuer: auth.issuer, jwksUri: auth.jwksUri, audiences: [app.clientId, app.appIdUri as string] }),
      { onParams: ({ params }) => void operations.push(params.query ?? '') },
    ],
    context: () => ({ sdl: advertised }),
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    operations,
    setSdl(next) {
      advertised = next;
      try {
        schema = build(next);
      } catch {
        // An SDL that does not build is still advertised: that is what the gateway must refuse.
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
