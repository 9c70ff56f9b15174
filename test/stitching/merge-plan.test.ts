import { createSchema } from 'graphql-yoga';
import type { ExecutionRequest, ExecutionResult } from '@graphql-tools/utils';
import { execute, parse, print, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { authorizeGraph } from '../../src/authz/authorized-graph.js';
import { composeGraph } from '../../src/stitching/compose-graph.js';
import { STITCHING_PRELUDE } from '../../bench/subgraphs/bench-subgraphs.js';

// The merge planner against small in-process subgraphs: which shapes it plans, which it leaves
// to stitching, and that a planned answer is exactly stitching's.

const PRODUCTS = `${STITCHING_PRELUDE}
type Product @key(selectionSet: "{ upc }") { upc: ID! name: String! weight: Int! }
type Query { top(first: Int = 3): [Product!]! _productsByUpcs(upcs: [ID!]!): [Product]! @merge(keyField: "upc") }`;

const SHIPPING = `${STITCHING_PRELUDE}
type Product @key(selectionSet: "{ upc }") { upc: ID! warehouse: String }
type Query { _shippingProducts(upcs: [ID!]!): [Product]! @merge(keyField: "upc") }`;

// Merged through an input-object key, and with a field that needs more than the key.
const ASSEMBLY = `${STITCHING_PRELUDE}
type Product @key(selectionSet: "{ upc }") {
  upc: ID!
  kit: String
  "Needs the weight, which only products has: stitching passes it in the key."
  estimate: Int @computed(selectionSet: "{ weight }")
}
input ProductKey { upc: ID! weight: Int }
type Query { _assemblyProducts(keys: [ProductKey!]!): [Product]! @merge }`;

const DATA = [
  { upc: 'p1', name: 'Chair', weight: 7 },
  { upc: 'p2', name: 'Lamp', weight: 2 },
  { upc: 'p3', name: 'Desk', weight: 30 },
  // Shipping does not know this one: its merge answer is null.
  { upc: 'p4', name: 'Stool', weight: 4 },
];

function local(typeDefs: string, resolvers: Parameters<typeof createSchema>[0]['resolvers']) {
  const schema = createSchema({ typeDefs, resolvers });
  const sent: string[] = [];
  const executor = async (request: ExecutionRequest): Promise<ExecutionResult> => {
    sent.push(print(request.document));
    // Through text, as over HTTP: the planner's documents must stand on their own.
    return (await execute({ schema, document: parse(print(request.document)), variableValues: request.variables ?? {} })) as ExecutionResult;
  };
  return { executor, sent };
}

const products = local(PRODUCTS, {
  Query: {
    top: (_: unknown, { first }: { first: number }) => DATA.slice(0, first),
    _productsByUpcs: (_: unknown, { upcs }: { upcs: string[] }) => upcs.map((upc) => DATA.find((p) => p.upc === upc) ?? null),
  },
});
const shipping = local(SHIPPING, {
  Query: {
    _shippingProducts: (_: unknown, { upcs }: { upcs: string[] }) => upcs.map((upc) => (upc === 'p4' ? null : { upc, warehouse: `W-${upc}` })),
  },
});
const assembly = local(ASSEMBLY, {
  Query: {
    _assemblyProducts: (_: unknown, { keys }: { keys: { upc: string; weight?: number }[] }) =>
      keys.map(({ upc, weight }) => ({ upc, kit: `K-${upc}`, estimate: weight === undefined ? null : weight * 3 })),
  },
});

const graph = composeGraph([
  { name: 'products', sdl: { sdl: PRODUCTS, document: parse(PRODUCTS) }, executor: products.executor },
  { name: 'shipping', sdl: { sdl: SHIPPING, document: parse(SHIPPING) }, executor: shipping.executor },
  { name: 'assembly', sdl: { sdl: ASSEMBLY, document: parse(ASSEMBLY) }, executor: assembly.executor },
]);
const authorized = authorizeGraph(graph);

async function stitched(document: DocumentNode): Promise<ExecutionResult> {
  return (await execute({ schema: graph.schema, document, contextValue: {} })) as ExecutionResult;
}

describe('merge planner', () => {
  it('plans a merged field fetched by key, and answers exactly as stitching', async () => {
    const document = parse('{ top(first: 3) { name w: warehouse upc } }');
    const forward = authorized.forwardTo(document);
    expect(forward).toBeDefined();
    products.sent.splice(0);
    shipping.sent.splice(0);
    const planned = await forward!({ document, context: {} });
    expect(products.sent).toHaveLength(1);
    expect(shipping.sent).toHaveLength(1);
    expect(shipping.sent[0]).toContain('_shippingProducts(upcs: $upcs)');
    expect(assembly.sent).toEqual([]);
    expect(JSON.stringify(planned)).toBe(JSON.stringify(await stitched(document)));
    expect(planned).toEqual({ data: { top: DATA.slice(0, 3).map((p) => ({ name: p.name, w: `W-${p.upc}`, upc: p.upc })) } });
  });

  it('leaves keys that need more than the key fields, and @computed fields, to stitching', async () => {
    for (const [query, expected] of [
      ['{ top(first: 2) { name kit } }', [{ name: 'Chair', kit: 'K-p1' }, { name: 'Lamp', kit: 'K-p2' }]],
      ['{ top(first: 2) { name estimate } }', [{ name: 'Chair', estimate: 21 }, { name: 'Lamp', estimate: 6 }]],
      ['{ top(first: 2) { warehouse kit } }', [{ warehouse: 'W-p1', kit: 'K-p1' }, { warehouse: 'W-p2', kit: 'K-p2' }]],
    ] as const) {
      const document = parse(query);
      expect(authorized.forwardTo(document), query).toBeUndefined();
      expect(await stitched(document), query).toEqual({ data: { top: expected } });
    }
  });

  it('plans the same document once and reuses the plan', () => {
    const document = parse('{ top { warehouse } }');
    expect(authorized.forwardTo(document)).toBe(authorized.forwardTo(document));
  });

  it('answers { data: null } (stitching takes over) when a merged object is missing', async () => {
    const document = parse('{ top(first: 4) { name warehouse } }');
    const planned = await authorized.forwardTo(document)!({ document, context: {} });
    expect(planned).toEqual({ data: null });
    const byStitching = await stitched(document);
    expect((byStitching.data?.['top'] as unknown[])[3]).toEqual({ name: 'Stool', warehouse: null });
  });
});
