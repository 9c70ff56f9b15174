import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/idp/demo-directory.js';
import { startTestDemo, type TestDemo } from '../e2e/support.js';

let demo: TestDemo;
let explainUrl: string;
beforeAll(async () => {
  demo = await startTestDemo();
  explainUrl = `${demo.server.url}/explain`;
});
afterAll(async () => {
  await demo?.close();
});
beforeEach(() => {
  for (const recorder of Object.values(demo.received)) recorder.clear();
  demo.audit.events.splice(0);
});

async function explain(body: unknown, token?: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(explainUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  return { status: response.status, body: await response.json() };
}

const allow = (coordinate: string, paths: string[][], requiredScopes: string[][] = [], authenticated = requiredScopes.length > 0) => ({
  coordinate,
  decision: 'allow',
  authenticated,
  requiredScopes,
  missingScopes: [],
  paths,
});
const deny = (coordinate: string, paths: string[][], requiredScopes: string[][], missingScopes: string[][] = requiredScopes) => ({
  coordinate,
  decision: 'deny',
  authenticated: true,
  requiredScopes,
  missingScopes,
  paths,
});

const OVERVIEW = /* GraphQL */ `
  query Overview($id: ID!) {
    customer(id: $id) {
      name
      email
      orders(first: 2) { number total }
      documents(first: 2) { title ... on ConfidentialDocument { body } }
    }
  }
`;

describe('POST /explain', () => {
  it('explains an allowed query: every field allowed, with its rule; no subgraph is called', async () => {
    const { status, body } = await explain({ query: '{ customer(id: "C-0001") { name documents(first: 1) { title } } }' }, demo.tokens.agent);
    expect(status).toBe(200);
    expect(body).toEqual({
      operationName: null,
      operationType: 'query',
      allowed: true,
      mode: 'filter',
      introspection: 'filtered',
      caller: { authenticated: true, scopes: ['Customers.Read', 'Knowledge.Read'] },
      fields: [
        allow('Query.customer', [['customer']], [['Customers.Read']]),
        allow('Customer.name', [['customer', 'name']]),
        allow('Customer.documents', [['customer', 'documents']], [['Knowledge.Read']]),
        allow('Document.title', [['customer', 'documents', 'title']]),
      ],
      denials: [],
    });
    expect(Object.values(demo.received).map((r) => r.operations)).toEqual([[], [], []]);
    expect(demo.audit.events).toEqual([]);
  });

  it('explains a denied query: the rule and the missing scopes of each field, and the errors /graphql would answer', async () => {
    const { status, body } = await explain({ query: OVERVIEW, operationName: 'Overview', variables: { id: 'C-0002' } }, demo.tokens.agent);
    expect(status).toBe(200);
    expect(body).toEqual({
      operationName: 'Overview',
      operationType: 'query',
      allowed: false,
      mode: 'filter',
      introspection: 'filtered',
      caller: { authenticated: true, scopes: ['Customers.Read', 'Knowledge.Read'] },
      fields: [
        allow('Query.customer', [['customer']], [['Customers.Read']]),
        allow('Customer.name', [['customer', 'name']]),
        deny('Customer.email', [['customer', 'email']], [['Customers.PII.Read']]),
        allow('Customer.orders', [['customer', 'orders']], [], true),
        allow('Order.number', [['customer', 'orders', 'number']]),
        deny('Order.total', [['customer', 'orders', 'total']], [['Orders.Read']]),
        allow('Customer.documents', [['customer', 'documents']], [['Knowledge.Read']]),
        allow('Document.title', [['customer', 'documents', 'title']]),
        deny('ConfidentialDocument.body', [['customer', 'documents', 'body']], [['Knowledge.Read.Confidential']]),
      ],
      denials: [
        {
          message: 'Not authorized to read Customer.email: needs scope Customers.PII.Read.',
          path: ['customer', 'email'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: 'Customer.email', requiredScopes: [['Customers.PII.Read']], missingScopes: [['Customers.PII.Read']] },
        },
        {
          message: 'Not authorized to read Order.total: needs scope Orders.Read.',
          path: ['customer', 'orders', 'total'],
          extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: 'Order.total', requiredScopes: [['Orders.Read']], missingScopes: [['Orders.Read']] },
        },
        {
          message: 'Not authorized to read ConfidentialDocument.body: needs scope Knowledge.Read.Confidential.',
          path: ['customer', 'documents', 'body'],
          extensions: {
            code: 'UNAUTHORIZED_FIELD_OR_TYPE',
            coordinate: 'ConfidentialDocument.body',
            requiredScopes: [['Knowledge.Read.Confidential']],
            missingScopes: [['Knowledge.Read.Confidential']],
          },
        },
      ],
    });
    expect(Object.values(demo.received).map((r) => r.operations)).toEqual([[], [], []]);
  });

  it('names every scope an operation needs, also below a denied field, and folds type conditions into the rule', async () => {
    const token = await demo.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername, scopes: ['Knowledge.Read'] });
    const { body } = await explain({ query: '{ c: customer(id: "C-0001") { email } find(query: "x") { ... on CustomerNote { text } } }' }, token);
    expect(body).toMatchObject({
      allowed: false,
      fields: [
        deny('Query.customer', [['c']], [['Customers.Read']]),
        // Not fetched (its parent is denied) but listed, so one answer names every scope needed.
        deny('Customer.email', [['c', 'email']], [['Customers.PII.Read']]),
        allow('Query.find', [['find']], [['Knowledge.Read']]),
        deny('CustomerNote.text', [['find', 'text']], [['Customers.PII.Read']]),
      ],
      denials: [
        { path: ['c'], extensions: { coordinate: 'Query.customer' } },
        { path: ['find', 'text'], extensions: { coordinate: 'CustomerNote.text' } },
      ],
    });
  });

  it('answers 400 with the GraphQL errors for a document that does not parse or validate', async () => {
    expect(await explain({ query: '{ customer(id: "C-0001") { name ' }, demo.tokens.agent)).toEqual({
      status: 400,
      body: { errors: [{ message: 'Syntax Error: Expected Name, found <EOF>.', locations: [{ line: 1, column: 33 }], extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] },
    });
    expect(await explain({ query: '{ customer(id: "C-0001") { emial } }' }, demo.tokens.agent)).toEqual({
      status: 400,
      body: { errors: [{ message: 'Cannot query field "emial" on type "Customer".', locations: [{ line: 1, column: 28 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] },
    });
    expect(await explain({ query: 'query A { customers { id } } query B { orders { id } }' }, demo.tokens.agent)).toEqual({
      status: 400,
      body: { errors: [{ message: 'Must provide operation name if query contains multiple operations.', extensions: { code: 'BAD_REQUEST' } }] },
    });
    const badBody = { errors: [{ message: 'The body must be a JSON object: { "query": "...", "operationName"?: "...", "variables"?: {...} }.', extensions: { code: 'BAD_REQUEST' } }] };
    expect(await explain('not json', demo.tokens.agent)).toEqual({ status: 400, body: badBody });
    expect(await explain({ query: 42 }, demo.tokens.agent)).toEqual({ status: 400, body: badBody });
  });

  it('refuses an operation deeper than limits.maxDepth, as /graphql does', async () => {
    // customer → orders → customer → ... : 16 levels of fields, one over the default limit of 15.
    let selection = 'id';
    for (let level = 0; level < 15; level++) selection = level % 2 === 0 ? `orders { ${selection} }` : `customer { ${selection} }`;
    const tooDeep = `{ customer(id: "C-0001") { ${selection} } }`;
    const graphqlAnswer = await fetch(demo.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.tokens.person}` },
      body: JSON.stringify({ query: tooDeep }),
    });
    expect(graphqlAnswer.status).toBe(400);
    expect(await graphqlAnswer.json()).toEqual({ errors: [{ message: 'Operation is nested deeper than 15 fields.', extensions: { code: 'BAD_REQUEST' } }] });
    const explained = await explain({ query: tooDeep }, demo.tokens.person);
    expect(explained.status).toBe(400);
    expect(explained.body).toEqual({
      errors: [{ message: 'Operation is nested deeper than 15 fields.', locations: [{ line: 1, column: 1 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }],
    });
  });

  it('authenticates exactly like /graphql', async () => {
    const none = await fetch(explainUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ customers { id } }' }) });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="meshgate"');
    expect(await none.json()).toEqual({ errors: [{ message: 'Unauthenticated: a bearer token is required.', extensions: { code: 'UNAUTHENTICATED' } }] });
    const expired = await demo.idp.mint({ kind: 'user', claims: { exp: 1 } });
    const { status } = await explain({ query: '{ customers { id } }' }, expired);
    expect(status).toBe(401);
  });

  it('takes POST only', async () => {
    const response = await fetch(`${explainUrl}?query=${encodeURIComponent('{ customers { id } }')}`, { headers: { authorization: `Bearer ${demo.tokens.agent}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});
