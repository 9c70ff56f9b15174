import { print, parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphql, startTestDemo, type TestDemo } from './support.js';

// Operations one subgraph serves entirely are forwarded to it as they are (already authorized),
// without planning a stitched delegation; everything else is stitched as before.
let demo: TestDemo;
beforeAll(async () => {
  demo = await startTestDemo();
});
afterAll(async () => {
  await demo?.close();
});
beforeEach(() => {
  for (const recorder of Object.values(demo.received)) recorder.clear();
});

const normalize = (query: string) => print(parse(query));

describe('single-subgraph fast path', () => {
  it('forwards an operation one subgraph serves, unchanged, and answers exactly as stitching would', async () => {
    const query = 'query Two($n: Int) { customers(first: $n) { id name segment } first: customer(id: "C-0002") { name } }';
    const { status, body } = await graphql(demo.graphqlUrl, query, { token: demo.tokens.person, variables: { n: 2 } });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      customers: [
        { id: 'C-0001', name: 'Lakeside Agritech LLC', segment: expect.any(String) },
        { id: 'C-0002', name: expect.any(String), segment: expect.any(String) },
      ],
      first: { name: (body.data?.['customers'] as { name: string }[])[1]?.name },
    });
    expect(demo.received.customers.operations.map(normalize)).toEqual([normalize(query)]);
    expect(demo.received.orders.operations).toEqual([]);
  });

  it('forwards the authorized operation only: denied fields never leave the gateway', async () => {
    const { body } = await graphql(demo.graphqlUrl, '{ customer(id: "C-0001") { name email } }', { token: demo.tokens.agent });
    expect(body.data).toEqual({ customer: { name: 'Lakeside Agritech LLC', email: null } });
    expect(body.errors?.map((e) => [e.path, e.extensions?.['code']])).toEqual([[['customer', 'email'], 'UNAUTHORIZED_FIELD_OR_TYPE']]);
    expect(demo.received.customers.operations.map(normalize)).toEqual([normalize('{ customer(id: "C-0001") { name } }')]);
  });

  it('stitches operations that need a second subgraph', async () => {
    const { body } = await graphql(demo.graphqlUrl, '{ customer(id: "C-0001") { name orderCount } }', { token: demo.tokens.person });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ customer: { name: 'Lakeside Agritech LLC', orderCount: 4 } });
    expect(demo.received.orders.operations).toHaveLength(1);
    expect(demo.received.orders.operations[0]).toContain('_orderCustomersByIds');
  });

  it("passes a subgraph's own error on as stitching does, not masked as an unexpected error", async () => {
    const forwarded = await graphql(demo.graphqlUrl, '{ customers(first: 500) { id } }', { token: demo.tokens.person });
    // The directive makes stitching answer the same operation.
    const stitched = await graphql(demo.graphqlUrl, '{ customers(first: 500) @include(if: true) { id } }', { token: demo.tokens.person });
    expect(forwarded.body.errors).toEqual([{ message: 'first must be between 0 and 100', path: ['customers'], extensions: { code: 'BAD_USER_INPUT' } }]);
    expect(forwarded.body.data).toEqual(stitched.body.data);
    expect(forwarded.body.errors?.map(({ message, path, extensions }) => ({ message, path, extensions }))).toEqual(
      stitched.body.errors?.map(({ message, path, extensions }) => ({ message, path, extensions })),
    );
  });

  it('lets graphql-js answer variables that do not coerce, without calling the subgraph', async () => {
    const { status, body } = await graphql(demo.graphqlUrl, 'query ($n: Int) { customers(first: $n) { id } }', { token: demo.tokens.person, variables: { n: 'many' } });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.message).toContain('Variable "$n" got invalid value "many"');
    expect(demo.received.customers.operations).toEqual([]);
  });
});
