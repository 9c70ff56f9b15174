import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS } from '../../src/idp/demo-directory.js';
import { graphql, startTestDemo, type TestDemo } from './support.js';

let demo: TestDemo;
beforeAll(async () => {
  demo = await startTestDemo();
});
afterAll(async () => {
  await demo?.close();
});
beforeEach(() => {
  for (const recorder of Object.values(demo.received)) recorder.clear();
  demo.audit.events.splice(0);
});

const CROSS_SUBGRAPH = /* GraphQL */ `
  query CustomerOverview($id: ID!) {
    customer(id: $id) {
      id
      name
      email
      orders(first: 2) { number total lines { product quantity } }
      documents(first: 2) { id title classification }
    }
  }
`;

describe('one request through every room', () => {
  it('answers a query that joins customers, orders and knowledge for a person with every scope', async () => {
    const { status, body } = await graphql(demo.graphqlUrl, CROSS_SUBGRAPH, { token: demo.tokens.person, variables: { id: 'C-0001' } });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const customer = body.data?.['customer'] as Record<string, unknown>;
    expect(customer).toMatchObject({ id: 'C-0001', name: expect.any(String), email: expect.stringContaining('@') });
    const orders = customer['orders'] as { number: string; total: number; lines: unknown[] }[];
    expect(orders).toHaveLength(2);
    for (const order of orders) {
      expect(order.number).toMatch(/^SO-/);
      expect(typeof order.total).toBe('number');
      expect(order.lines.length).toBeGreaterThan(0);
    }
    const documents = customer['documents'] as { id: string; title: string }[];
    expect(documents.length).toBeGreaterThan(0);
    expect(documents[0]?.title).toEqual(expect.any(String));
    // Each subgraph was called, with its own fields only.
    expect(demo.received.customers.operations.join('\n')).toContain('email');
    expect(demo.received.orders.operations.join('\n')).toContain('total');
    expect(demo.received.knowledge.operations.join('\n')).toContain('title');
  });

  it('answers a denied field with null and UNAUTHORIZED_FIELD_OR_TYPE at its path, keeps the rest, and never sends it to the subgraph', async () => {
    const token = await demo.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername, scopes: ['Customers.Read', 'Knowledge.Read'] });
    const { status, body } = await graphql(demo.graphqlUrl, CROSS_SUBGRAPH, { token, variables: { id: 'C-0001' } });
    expect(status).toBe(200);
    const customer = body.data?.['customer'] as Record<string, unknown>;
    expect(customer['name']).toEqual(expect.any(String));
    expect(customer['email']).toBeNull();
    const orders = customer['orders'] as { number: string; total: number | null }[];
    expect(orders).toHaveLength(2);
    expect(orders.map((o) => o.total)).toEqual([null, null]);
    expect(orders.every((o) => o.number.startsWith('SO-'))).toBe(true);
    expect(body.errors).toEqual([
      {
        message: 'Not authorized to read Customer.email: needs scope Customers.PII.Read.',
        locations: expect.any(Array),
        path: ['customer', 'email'],
        extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: 'Customer.email', requiredScopes: [['Customers.PII.Read']], missingScopes: [['Customers.PII.Read']] },
      },
      ...[0, 1].map((i) => ({
        message: 'Not authorized to read Order.total: needs scope Orders.Read.',
        locations: expect.any(Array),
        path: ['customer', 'orders', i, 'total'],
        extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: 'Order.total', requiredScopes: [['Orders.Read']], missingScopes: [['Orders.Read']] },
      })),
    ]);
    const sentToCustomers = demo.received.customers.operations.join('\n');
    const sentToOrders = demo.received.orders.operations.join('\n');
    expect(sentToCustomers).toContain('name');
    expect(sentToCustomers).not.toContain('email');
    expect(sentToOrders).toContain('number');
    expect(sentToOrders).not.toContain('total');
  });

  it('lets an AI agent (app-only token) read what its roles allow', async () => {
    const { status, body } = await graphql(demo.graphqlUrl, '{ customers(first: 2) { id name phone } search(query: "renewal", first: 1) { score document { title } } }', {
      token: demo.tokens.agent,
    });
    expect(status).toBe(200);
    const customers = body.data?.['customers'] as { id: string; phone: unknown }[];
    expect(customers.map((c) => c.id)).toEqual(['C-0001', 'C-0002']);
    expect(customers.map((c) => c.phone)).toEqual([null, null]);
    expect(body.errors?.map((e) => [e.path, e.extensions?.['code']])).toEqual([
      [['customers', 0, 'phone'], 'UNAUTHORIZED_FIELD_OR_TYPE'],
      [['customers', 1, 'phone'], 'UNAUTHORIZED_FIELD_OR_TYPE'],
    ]);
    expect(body.data?.['search']).toEqual([{ score: expect.any(Number), document: { title: expect.any(String) } }]);
  });

  it('batches merged-type lookups: 50 customers with their orders make one request to orders', async () => {
    const { body } = await graphql(demo.graphqlUrl, '{ customers(first: 50) { id orders(first: 1) { number } } }', { token: demo.tokens.person });
    expect(body.errors).toBeUndefined();
    const customers = body.data?.['customers'] as { id: string; orders: unknown[] }[];
    expect(customers).toHaveLength(50);
    expect(customers.filter((c) => c.orders.length > 0).length).toBeGreaterThan(25);
    expect(demo.received.customers.operations).toHaveLength(1);
    expect(demo.received.orders.operations).toHaveLength(1);
    expect(demo.received.orders.operations[0]).toContain('_orderCustomersByIds');
  });

  it('writes one audit event per operation, without tokens', async () => {
    await graphql(demo.graphqlUrl, CROSS_SUBGRAPH, { token: demo.tokens.agent, variables: { id: 'C-0002' } });
    expect(demo.audit.events).toHaveLength(1);
    const event = demo.audit.events[0]!;
    expect(event).toMatchObject({
      type: 'graphql.operation',
      operationName: 'CustomerOverview',
      principal: { kind: 'app', clientId: DEMO_APPS.agent.clientId },
      outcome: 'denied',
    });
    expect(event.denied.map((d) => d.coordinate).sort()).toEqual(['Customer.email', 'Order.total']);
    expect(event.subgraphs.map((s) => s.subgraph).sort()).toEqual(['customers', 'knowledge', 'orders']);
    expect(JSON.stringify(event)).not.toContain(demo.tokens.agent.slice(0, 40));
  });
});

describe('authentication at the door', () => {
  it('answers 401 with a Bearer challenge when there is no token', async () => {
    const { status, headers, body } = await graphql(demo.graphqlUrl, '{ customers { id } }');
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer realm="meshgate"');
    expect(body).toEqual({ errors: [{ message: 'Unauthenticated: a bearer token is required.', extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(demo.received.customers.operations).toHaveLength(0);
  });

  it('answers 401 invalid_token for a token of another audience, and never falls back to anonymous', async () => {
    const token = await demo.idp.mint({ kind: 'user', audience: DEMO_APPS.orders.clientId, scopes: ['Orders.Read'] });
    const { status, headers, body } = await graphql(demo.graphqlUrl, '{ customers { id } }', { token });
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer realm="meshgate", error="invalid_token", error_description="wrong audience"');
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('a subgraph refuses a token of another audience sent straight to it', async () => {
    const forOrders = await demo.idp.mint({ kind: 'user', audience: DEMO_APPS.orders.clientId, scopes: ['Orders.Read'] });
    const { status } = await graphql(demo.subgraphs.customers.url, '{ customers { id } }', { token: forOrders });
    expect(status).toBe(401);
    const forCustomers = await demo.idp.mint({ kind: 'user', audience: DEMO_APPS.customers.clientId, scopes: ['Customers.Read'] });
    const ok = await graphql(demo.subgraphs.customers.url, '{ customers(first: 1) { id } }', { token: forCustomers });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({ customers: [{ id: 'C-0001' }] });
  });
});

describe('operations endpoints', () => {
  it('serves /healthz and /readyz', async () => {
    const health = await fetch(`${demo.server.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${demo.server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('serves GraphiQL without a token, opening with the demo person\'s Authorization header', async () => {
    const response = await fetch(demo.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<title>meshgate</title>');
    expect(html).toContain(`Bearer ${demo.tokens.person}`);
  });

  it('hides the subgraphs\' plumbing (_sdl, merge resolvers) from callers', async () => {
    const { body } = await graphql(demo.graphqlUrl, '{ __schema { queryType { fields { name } } } }', { token: demo.tokens.person });
    const names = (body.data?.['__schema'] as { queryType: { fields: { name: string }[] } }).queryType.fields.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['customer', 'customers', 'order', 'orders', 'document', 'documents', 'search']));
    expect(names.filter((n) => n.startsWith('_'))).toEqual([]);
  });
});
