import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MeshgateConfigInput } from '../../src/config/config-schema.js';
import { demoCustomers } from '../../subgraphs/shared/demo-customers.js';
import { DEFAULT_SEED } from '../../subgraphs/shared/random.js';
import { graphql, startTestDemo, type TestDemo } from '../e2e/support.js';

const C1 = demoCustomers(DEFAULT_SEED)[0]!;

/** Starts a demo whose gateway config is changed by `configure`, for the tests of one describe. */
function demoWith(configure: (config: MeshgateConfigInput) => MeshgateConfigInput): () => TestDemo {
  let demo: TestDemo | undefined;
  beforeAll(async () => {
    demo = await startTestDemo({ configure });
  });
  afterAll(async () => {
    await demo?.close();
  });
  beforeEach(() => {
    for (const recorder of Object.values(demo!.received)) recorder.clear();
    demo!.audit.events.splice(0);
  });
  return () => demo!;
}

const nothingReceived = (demo: TestDemo) => expect(Object.values(demo.received).map((r) => r.operations)).toEqual([[], [], []]);

describe('anonymous callers (auth.anonymous: true)', () => {
  const demo = demoWith((config) => ({ ...config, auth: { ...config.auth!, anonymous: true } }));

  it('hold no scopes and fail @authenticated; no subgraph is called', async () => {
    const { status, body } = await graphql(demo().graphqlUrl, '{ customers(first: 1) { id } orders(first: 1) { number } }');
    expect(status).toBe(200);
    expect(body).toEqual({
      data: { customers: null, orders: null },
      errors: [
        {
          message: 'Not authorized to read Query.customers: sign in with a token.',
          locations: [{ line: 1, column: 3 }],
          path: ['customers'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: 'Query.customers', requiredScopes: [['Customers.Read']], missingScopes: [['Customers.Read']] },
        },
        {
          message: 'Not authorized to read Query.orders: sign in with a token.',
          locations: [{ line: 1, column: 30 }],
          path: ['orders'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: 'Query.orders', requiredScopes: [], missingScopes: [] },
        },
      ],
    });
    nothingReceived(demo());
    expect(demo().audit.events.map((e) => [e.principal, e.outcome, e.denied.map((d) => d.coordinate)])).toEqual([[null, 'denied', ['Query.customers', 'Query.orders']]]);
  });

  it('introspect a graph with nothing in it, and still get { __typename }', async () => {
    const { body } = await graphql(demo().graphqlUrl, '{ __typename __schema { queryType { fields { name } } types { name } } }');
    expect(body).toEqual({
      data: {
        __typename: 'Query',
        __schema: {
          queryType: { fields: [] },
          types: ['Query', 'Boolean', 'String', '__Schema', '__Type', '__TypeKind', '__Field', '__InputValue', '__EnumValue', '__Directive', '__DirectiveLocation'].map((name) => ({ name })),
        },
      },
    });
  });

  it('still authenticate a token when one is sent, and never fall back to anonymous for a bad one', async () => {
    const ok = await graphql(demo().graphqlUrl, '{ customer(id: "C-0001") { name } }', { token: demo().tokens.agent });
    expect(ok.body).toEqual({ data: { customer: { name: C1.name } } });
    const expired = await demo().idp.mint({ kind: 'user', claims: { exp: 1 } });
    const refused = await graphql(demo().graphqlUrl, '{ customer(id: "C-0001") { name } }', { token: expired });
    expect(refused.status).toBe(401);
  });

  it('explain says an anonymous caller holds nothing', async () => {
    const response = await fetch(`${demo().server.url}/explain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ orders(first: 1) { number } }' }),
    });
    expect(await response.json()).toMatchObject({
      allowed: false,
      caller: { authenticated: false, scopes: [] },
      fields: [
        { coordinate: 'Query.orders', decision: 'deny', authenticated: true, requiredScopes: [], missingScopes: [], paths: [['orders']] },
        { coordinate: 'Order.number', decision: 'allow', authenticated: false, requiredScopes: [], missingScopes: [], paths: [['orders', 'number']] },
      ],
    });
  });
});

describe('authorization.mode: reject', () => {
  const demo = demoWith((config) => ({ ...config, authorization: { mode: 'reject' } }));

  it('answers 403 listing every denial, and runs nothing at all', async () => {
    const query = '{ customer(id: "C-0001") { name email } customers(first: 2) { phone } }';
    const response = await fetch(demo().graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${demo().tokens.agent}` },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'Not authorized to read Customer.email: needs scope Customers.PII.Read.',
          locations: [{ line: 1, column: 33 }],
          path: ['customer', 'email'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: 'Customer.email', requiredScopes: [['Customers.PII.Read']], missingScopes: [['Customers.PII.Read']] },
        },
        {
          message: 'Not authorized to read Customer.phone: needs scope Customers.PII.Read.',
          locations: [{ line: 1, column: 63 }],
          path: ['customers', 'phone'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: 'Customer.phone', requiredScopes: [['Customers.PII.Read']], missingScopes: [['Customers.PII.Read']] },
        },
      ],
    });
    nothingReceived(demo());
    expect(demo().audit.events).toHaveLength(1);
    expect(demo().audit.events[0]).toMatchObject({ outcome: 'rejected', subgraphs: [], errorCodes: ['UNAUTHORIZED_FIELD_OR_TYPE'] });
  });

  it('runs an operation with nothing denied as usual', async () => {
    const { status, body } = await graphql(demo().graphqlUrl, '{ customer(id: "C-0001") { name } }', { token: demo().tokens.agent });
    expect({ status, body }).toEqual({ status: 200, body: { data: { customer: { name: C1.name } } } });
  });

  it('says so in /explain', async () => {
    const response = await fetch(`${demo().server.url}/explain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${demo().tokens.agent}` },
      body: JSON.stringify({ query: '{ customer(id: "C-0001") { email } }' }),
    });
    expect(await response.json()).toMatchObject({ allowed: false, mode: 'reject' });
  });
});

describe('authorization.introspection: full', () => {
  const demo = demoWith((config) => ({ ...config, authorization: { introspection: 'full' } }));

  it('shows every caller the whole graph, hints included, and still denies the data', async () => {
    const { body } = await graphql(demo().graphqlUrl, '{ __type(name: "CustomerNote") { name } customer(id: "C-0001") { email } }', { token: demo().tokens.agent });
    expect(body).toMatchObject({ data: { __type: { name: 'CustomerNote' }, customer: { email: null } }, errors: [{ path: ['customer', 'email'] }] });
    const hint = await graphql(demo().graphqlUrl, '{ customer(id: "C-0001") { emial } }', { token: demo().tokens.agent });
    expect(hint.body.errors?.map((e) => e.message)).toEqual(['Cannot query field "emial" on type "Customer". Did you mean "email"?']);
  });
});

describe('authorization.introspection: off, explain: false', () => {
  const demo = demoWith((config) => ({ ...config, authorization: { introspection: 'off', explain: false } }));

  it('refuses __schema and __type with INTROSPECTION_DISABLED, and runs nothing of that operation', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Customer") { name } customer(id: "C-0001") { name } }']) {
      const { status, body } = await graphql(demo().graphqlUrl, query, { token: demo().tokens.person });
      expect({ status, body }).toEqual({
        status: 400,
        body: { errors: [{ message: 'Introspection is turned off on this gateway.', extensions: { code: 'INTROSPECTION_DISABLED' } }] },
      });
    }
    nothingReceived(demo());
  });

  it('still answers __typename', async () => {
    const { body } = await graphql(demo().graphqlUrl, '{ __typename customer(id: "C-0001") { __typename name } }', { token: demo().tokens.agent });
    expect(body).toEqual({ data: { __typename: 'Query', customer: { __typename: 'Customer', name: C1.name } } });
  });

  it('serves no /explain', async () => {
    const response = await fetch(`${demo().server.url}/explain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${demo().tokens.agent}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(404);
  });
});
