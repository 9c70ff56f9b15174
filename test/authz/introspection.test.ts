import { buildClientSchema, getIntrospectionQuery, isInterfaceType, isObjectType, isUnionType, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/idp/demo-directory.js';
import { demoCustomers } from '../../subgraphs/shared/demo-customers.js';
import { DEFAULT_SEED } from '../../subgraphs/shared/random.js';
import { graphql, startTestDemo, type TestDemo } from '../e2e/support.js';

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

const C1 = demoCustomers(DEFAULT_SEED)[0]!;

/** The schema as GraphiQL's docs explorer builds it: the standard introspection query. */
async function introspect(token: string): Promise<Record<string, string[]>> {
  const { status, body } = await graphql(demo.graphqlUrl, getIntrospectionQuery(), { token });
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  const schema = buildClientSchema(body.data as unknown as IntrospectionQuery);
  const shape: Record<string, string[]> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type)) shape[type.name] = Object.keys(type.getFields());
    else if (isUnionType(type)) shape[type.name] = type.getTypes().map((t) => t.name);
    else shape[type.name] = [];
  }
  expect(schema.getDirectives().map((d) => d.name)).toEqual(['include', 'skip', 'deprecated', 'specifiedBy', 'oneOf']);
  return shape;
}

const DOCUMENT_FIELDS = ['id', 'title', 'summary', 'classification', 'updatedAt', 'tags', 'customer'];
const SCALARS_AND_ENUMS = { ID: [], Int: [], String: [], Float: [], Boolean: [], Segment: [], OrderStatus: [], Classification: [] };
const QUERY = ['customer', 'customers', 'order', 'orders', 'document', 'documents', 'search', 'find'];

describe('filtered introspection (authorization.introspection: filtered, the default)', () => {
  it('shows an agent with Customers.Read and Knowledge.Read only what it may query', async () => {
    expect(await introspect(demo.tokens.agent)).toEqual({
      ...SCALARS_AND_ENUMS,
      Query: QUERY,
      Customer: ['id', 'name', 'segment', 'region', 'customerSince', 'orders', 'orderCount', 'documents'],
      Order: ['id', 'number', 'placedAt', 'status', 'currency', 'lines', 'customer'],
      OrderLine: ['sku', 'product', 'quantity'],
      // Document.body needs every implementation's rule: hidden on the interface, shown where it can be read.
      Document: DOCUMENT_FIELDS,
      StandardDocument: [...DOCUMENT_FIELDS, 'body'],
      ConfidentialDocument: DOCUMENT_FIELDS,
      Passage: ['document', 'score', 'snippet'],
      SearchHit: ['Passage'],
    });
  });

  it('shows a person with every demo scope the whole graph', async () => {
    expect(await introspect(demo.tokens.person)).toEqual({
      ...SCALARS_AND_ENUMS,
      Query: QUERY,
      Customer: ['id', 'name', 'segment', 'region', 'customerSince', 'email', 'phone', 'orders', 'orderCount', 'lifetimeValue', 'documents', 'notes'],
      Order: ['id', 'number', 'placedAt', 'status', 'currency', 'lines', 'total', 'customer'],
      OrderLine: ['sku', 'product', 'quantity', 'unitPrice', 'amount'],
      Document: [...DOCUMENT_FIELDS, 'body'],
      StandardDocument: [...DOCUMENT_FIELDS, 'body'],
      ConfidentialDocument: [...DOCUMENT_FIELDS, 'body'],
      Passage: ['document', 'score', 'snippet'],
      CustomerNote: ['id', 'customer', 'author', 'writtenAt', 'text'],
      SearchHit: ['Passage', 'CustomerNote'],
    });
  });

  it('shows a person with Customers.Read and Orders.Read neither knowledge nor personal data', async () => {
    const token = await demo.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername, scopes: ['Customers.Read', 'Orders.Read'] });
    const shape = await introspect(token);
    expect(shape['Query']).toEqual(['customer', 'customers', 'order', 'orders']);
    // Customer.documents is [Document!]! and needs Knowledge.Read: gone, and with it every knowledge type.
    expect(shape['Customer']).toEqual(['id', 'name', 'segment', 'region', 'customerSince', 'orders', 'orderCount', 'lifetimeValue']);
    expect(Object.keys(shape).filter((name) => /Document|Passage|SearchHit|Note|Classification/.test(name))).toEqual([]);
  });

  it('answers __type for a hidden type with null, and lists only readable fields of a shown one', async () => {
    const query = '{ note: __type(name: "CustomerNote") { name } customer: __type(name: "Customer") { fields { name } } }';
    const agent = await graphql(demo.graphqlUrl, query, { token: demo.tokens.agent });
    expect(agent.body).toEqual({
      data: { note: null, customer: { fields: ['id', 'name', 'segment', 'region', 'customerSince', 'orders', 'orderCount', 'documents'].map((name) => ({ name })) } },
    });
    const person = await graphql(demo.graphqlUrl, query, { token: demo.tokens.person });
    expect((person.body.data?.['note'] as { name: string }).name).toBe('CustomerNote');
    // Introspection is answered by the gateway: no subgraph is asked.
    expect(demo.received.customers.operations).toEqual([]);
    expect(demo.received.knowledge.operations).toEqual([]);
  });

  it('filters __type asked through a variable and an alias just the same', async () => {
    const query = 'query ($name: String!) { t: __type(name: $name) { name } }';
    const agent = await graphql(demo.graphqlUrl, query, { token: demo.tokens.agent, variables: { name: 'CustomerNote' } });
    expect(agent.body).toEqual({ data: { t: null } });
    const person = await graphql(demo.graphqlUrl, query, { token: demo.tokens.person, variables: { name: 'CustomerNote' } });
    expect(person.body).toEqual({ data: { t: { name: 'CustomerNote' } } });
  });

  it('answers introspection from the caller\'s schema even when the same operation has denied fields', async () => {
    // Denials are answered by executing the operation again over the fetched data: that must
    // not answer __type from the whole graph.
    const query = '{ customer(id: "C-0001") { name email } __type(name: "Customer") { fields { name } } }';
    const { body } = await graphql(demo.graphqlUrl, query, { token: demo.tokens.agent });
    expect(body).toEqual({
      data: {
        customer: { name: C1.name, email: null },
        __type: { fields: ['id', 'name', 'segment', 'region', 'customerSince', 'orders', 'orderCount', 'documents'].map((name) => ({ name })) },
      },
      errors: [
        {
          message: 'Not authorized to read Customer.email: needs scope Customers.PII.Read.',
          locations: [{ line: 1, column: 33 }],
          path: ['customer', 'email'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: 'Customer.email', requiredScopes: [['Customers.PII.Read']], missingScopes: [['Customers.PII.Read']] },
        },
      ],
    });
  });

  it('keeps keys in the order asked when introspection and data are mixed, through fragments', async () => {
    const query = 'query { a: __typename ...F b: customer(id: "C-0001") { name } } fragment F on Query { s: __schema { queryType { name } } }';
    const { body } = await graphql(demo.graphqlUrl, query, { token: demo.tokens.agent });
    expect(JSON.stringify(body)).toBe(JSON.stringify({ data: { a: 'Query', s: { queryType: { name: 'Query' } }, b: { name: C1.name } } }));
  });

  it('gives no "Did you mean" hints that could name a hidden field or type', async () => {
    const { body } = await graphql(demo.graphqlUrl, '{ customer(id: "C-0001") { emial notez } }', { token: demo.tokens.agent });
    expect(body).toEqual({
      errors: [
        { message: 'Cannot query field "emial" on type "Customer".', locations: [{ line: 1, column: 28 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        { message: 'Cannot query field "notez" on type "Customer".', locations: [{ line: 1, column: 34 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      ],
    });
    const fragment = await graphql(demo.graphqlUrl, '{ find(query: "x") { ... on CustomerNot { id } } }', { token: demo.tokens.agent });
    expect(fragment.body.errors?.map((e) => e.message)).toEqual(['Unknown type "CustomerNot".']);
  });
});
