import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql, startTestDemo, type TestDemo } from './support.js';

// One data product going down must cost callers only that product's fields.
let demo: TestDemo;
beforeAll(async () => {
  demo = await startTestDemo();
});
afterAll(async () => {
  await demo?.close();
});

describe('a subgraph that stops answering', () => {
  it('nulls only its own fields, names itself in the error, and keeps the other subgraphs\' data', async () => {
    const query = '{ customer(id: "C-0001") { id name orders(first: 1) { number } documents(first: 1) { title } } }';
    const before = await graphql(demo.graphqlUrl, query, { token: demo.tokens.person });
    expect(before.body.errors).toBeUndefined();
    expect((before.body.data?.['customer'] as { documents: unknown[] }).documents).toHaveLength(1);

    await demo.subgraphs.knowledge.stop();
    const { status, body } = await graphql(demo.graphqlUrl, query, { token: demo.tokens.person });
    expect(status).toBe(200);
    expect(body.data).toEqual({
      customer: { id: 'C-0001', name: 'Lakeside Agritech LLC', orders: [{ number: expect.stringMatching(/^SO-/) }], documents: null },
    });
    expect(body.errors).toEqual([
      {
        message: 'Subgraph "knowledge" is unreachable.',
        path: ['customer', 'documents'],
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'knowledge' },
      },
    ]);
    // The schema callers see says so: fields merged in from another subgraph are nullable.
    const type = await graphql(demo.graphqlUrl, '{ __type(name: "Customer") { fields { name type { kind } } } }', { token: demo.tokens.person });
    const kinds = Object.fromEntries((type.body.data?.['__type'] as { fields: { name: string; type: { kind: string } }[] }).fields.map((f) => [f.name, f.type.kind]));
    expect(kinds).toMatchObject({ id: 'NON_NULL', orders: 'LIST', documents: 'LIST' });
  });
});
