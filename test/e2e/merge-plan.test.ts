import { parse, print } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Demo } from '../../src/demo/start-demo.js';
import { createMemoryAuditSink } from '../../src/observability/audit-sink.js';
import { graphql, recordOperations, startDemoOnFreePorts, type GraphQLResponse } from './support.js';

// Operations that join subgraphs through batched type merging are planned once per document
// (root fields from one subgraph, merged fields in one batched request per position) and must
// answer exactly what stitching answers. Stitching is made to answer the same operation by a
// harmless `@include(if: true)`, which the planner leaves to it.

/** What the orders subgraph does to its merge answers while a test wants it broken. */
let breakOrders: 'none' | 'null-entity' | 'error' = 'none';
const breaker: Plugin = {
  onExecute() {
    return {
      onExecuteDone({ result, setResult }) {
        if (breakOrders === 'none' || Symbol.asyncIterator in Object(result)) return;
        const data = (result as { data?: Record<string, unknown> | null }).data;
        const entities = data?.['__meshgate_merge'] ?? data?.['_orderCustomersByIds'];
        if (!Array.isArray(entities)) {
          // Stitching's own batched request uses its own aliases: break every list it gets back.
          const lists = Object.entries(data ?? {}).filter(([, value]) => Array.isArray(value));
          if (lists.length === 0) return;
          const broken = Object.fromEntries(lists.map(([key, value]) => [key, breakOrders === 'null-entity' ? [null, ...(value as unknown[]).slice(1)] : value]));
          setResult(breakOrders === 'error' ? { data: null, errors: [{ message: 'orders store offline' } as never] } : { data: { ...data, ...broken } });
          return;
        }
        if (breakOrders === 'null-entity') setResult({ data: { ...data, __meshgate_merge: [null, ...entities.slice(1)] } });
        else setResult({ data: null, errors: [{ message: 'orders store offline' } as never] });
      },
    };
  },
};

const received = { customers: recordOperations(), orders: recordOperations(), knowledge: recordOperations() };
let demo: Demo;
beforeAll(async () => {
  demo = await startDemoOnFreePorts({
    auditSink: createMemoryAuditSink(),
    subgraphPlugins: { customers: [received.customers.plugin], orders: [received.orders.plugin, breaker], knowledge: [received.knowledge.plugin] },
  });
});
afterAll(async () => {
  await demo?.close();
});
beforeEach(() => {
  breakOrders = 'none';
  for (const recorder of Object.values(received)) recorder.clear();
});

/** The same operation with `@include(if: true)` on its first field: stitching answers it. */
function stitched(query: string): string {
  return query.replace(/^(\s*(?:query[^{]*)?\{\s*\w+(?:\s*:\s*\w+)?(?:\s*\([^)]*\))?)/, '$1 @include(if: true)');
}

async function both(query: string, token: string, variables?: Record<string, unknown>): Promise<[GraphQLResponse, GraphQLResponse]> {
  const options = { token, ...(variables ? { variables } : {}) };
  const planned = await graphql(demo.graphqlUrl, query, options);
  const byStitching = await graphql(demo.graphqlUrl, stitched(query), options);
  return [planned, byStitching];
}

const normalize = (query: string) => print(parse(query));

/** The body as JSON, key order included, without error locations (the inserted directive moves them). */
function comparable(body: GraphQLResponse['body']): string {
  const withoutLocations = (error: object) => Object.fromEntries(Object.entries(error).filter(([key]) => key !== 'locations'));
  return JSON.stringify(body.errors ? { ...body, errors: body.errors.map(withoutLocations) } : body);
}

describe('planned batched merging', () => {
  it('answers exactly as stitching, for joins in both directions, aliases, nesting and __typename', async () => {
    const queries = [
      '{ customers(first: 5) { id name lifetimeValue orders { number total placedAt } } }',
      '{ customers(first: 3) { name orders { number customer { name email } } } }',
      '{ orders(first: 6) { number total customer { name segment } } }',
      '{ a: customers(first: 4) { __typename x: id orders { total n: number __typename } } }',
      '{ customer(id: "C-0002") { name orderCount orders { number } } }',
      'query Named { customers(first: 2) { orders { number } name } }',
    ];
    for (const query of queries) {
      const [planned, byStitching] = await both(query, demo.tokens.person);
      expect(planned.status, query).toBe(200);
      expect(planned.body.errors, query).toBeUndefined();
      expect(comparable(planned.body), query).toBe(comparable(byStitching.body));
    }
  });

  it('sends one request to the first subgraph and one batched request per merged position', async () => {
    const query = '{ customers(first: 3) { id name orders { number } } }';
    const { body } = await graphql(demo.graphqlUrl, query, { token: demo.tokens.person });
    expect((body.data?.['customers'] as unknown[]).length).toBe(3);
    expect(received.customers.operations.map(normalize)).toEqual([normalize('{ customers(first: 3) { id name __meshgate_key_id: id } }')]);
    expect(received.orders.operations).toHaveLength(1);
    expect(normalize(received.orders.operations[0] as string)).toContain('__meshgate_merge: _orderCustomersByIds(ids: $ids)');
    expect(received.knowledge.operations).toEqual([]);
  });

  it('hands the operation to stitching when a merged object is missing, and answers as stitching does', async () => {
    const query = '{ customers(first: 2) { id orders { number } } }';
    breakOrders = 'null-entity';
    const [planned, byStitching] = await both(query, demo.tokens.person);
    expect(planned.status).toBe(200);
    expect(comparable(planned.body)).toBe(comparable(byStitching.body));
    expect((planned.body.data?.['customers'] as { id: string }[]).map((c) => c.id)).toEqual(['C-0001', 'C-0002']);
  });

  it('hands the operation to stitching when the merging subgraph fails: its fields null, the rest kept', async () => {
    const query = '{ customers(first: 2) { id orders { number } } }';
    breakOrders = 'error';
    const [planned, byStitching] = await both(query, demo.tokens.person);
    expect(comparable(planned.body)).toBe(comparable(byStitching.body));
    expect(planned.body.data).toEqual({ customers: [{ id: 'C-0001', orders: null }, { id: 'C-0002', orders: null }] });
    expect(planned.body.errors?.length).toBeGreaterThan(0);
  });

  it('calls each subgraph once per path when a warmed plan fails: the lane, then stitching, never the plan again', async () => {
    const query = '{ customers(first: 2) { name orders { number } } }';
    await graphql(demo.graphqlUrl, query, { token: demo.tokens.person });
    const warm = await graphql(demo.graphqlUrl, query, { token: demo.tokens.person });
    expect(warm.body.errors).toBeUndefined();
    breakOrders = 'error';
    for (const recorder of Object.values(received)) recorder.clear();
    const failed = await graphql(demo.graphqlUrl, query, { token: demo.tokens.person });
    expect(failed.body.data).toEqual({ customers: [{ name: 'Lakeside Agritech LLC', orders: null }, { name: expect.any(String), orders: null }] });
    // The direct lane's plan (one call each), then stitching's own delegation (one call each).
    expect(received.customers.operations).toHaveLength(2);
    expect(received.orders.operations).toHaveLength(2);
  });

  it('plans the authorized part only: a denied merged field is null with its error, never fetched', async () => {
    // The agent holds Customers.Read and Knowledge.Read, not Orders.Read (Order.total needs it).
    const query = '{ customers(first: 2) { name orders { number total } } }';
    const [planned, byStitching] = await both(query, demo.tokens.agent);
    expect(comparable(planned.body)).toBe(comparable(byStitching.body));
    const orders = (planned.body.data?.['customers'] as { orders: { number: string; total: null }[] }[]).flatMap((c) => c.orders);
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.every((o) => typeof o.number === 'string' && o.total === null)).toBe(true);
    expect(new Set(planned.body.errors?.map((e) => e.extensions?.['code']))).toEqual(new Set(['UNAUTHORIZED_FIELD_OR_TYPE']));
    expect(received.orders.operations.length).toBeGreaterThan(0);
    expect(received.orders.operations.some((operation) => operation.includes('total'))).toBe(false);
  });

  it('leaves variables in merged fields, fragments and directives to stitching, with the same answers', async () => {
    const cases: [string, Record<string, unknown>?][] = [
      ['query ($n: Int) { customers(first: $n) { name orders { number } } }', { n: 2 }],
      ['{ customers(first: 2) { ...C } } fragment C on Customer { name orders { number } }'],
      ['{ customers(first: 2) { name orders @skip(if: false) { number } } }'],
    ];
    for (const [query, variables] of cases) {
      const [planned, byStitching] = await both(query, demo.tokens.person, variables);
      expect(planned.body.errors, query).toBeUndefined();
      expect(comparable(planned.body), query).toBe(comparable(byStitching.body));
    }
  });
});
