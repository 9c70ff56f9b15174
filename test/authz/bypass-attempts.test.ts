// Every way a caller might try to reach a field it may not read, each run through the real
// gateway (real identity provider, real sample subgraphs) once without and once with the
// scopes it needs. Each run asserts the whole response and, per subgraph, the exact field
// coordinates the subgraph received: a denied field must never reach one.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/idp/demo-directory.js';
import { demoDocuments } from '../../subgraphs/knowledge/generate-documents.js';
import { demoNotes } from '../../subgraphs/knowledge/generate-notes.js';
import { demoCustomers } from '../../subgraphs/shared/demo-customers.js';
import { DEFAULT_SEED } from '../../subgraphs/shared/random.js';
import { startTestDemo, type TestDemo } from '../e2e/support.js';
import { receivedCoordinates, type SampleSubgraph } from './received.js';

const customer = (id: string) => demoCustomers(DEFAULT_SEED).find((c) => c.id === id)!;
const document = (id: string) => demoDocuments(DEFAULT_SEED).find((d) => d.id === id)!;
const note = (id: string) => demoNotes(DEFAULT_SEED).find((n) => n.id === id)!;
const C1 = customer('C-0001');
const C2 = customer('C-0002');

const READER = ['Customers.Read', 'Knowledge.Read'];
const ALL = ['Customers.Read', 'Customers.PII.Read', 'Orders.Read', 'Knowledge.Read', 'Knowledge.Read.Confidential'];

/** One error as the gateway answers a denied field. */
function denied(path: (string | number)[], coordinate: string, requiredScopes: string[][], missingScopes: string[][] = requiredScopes) {
  const needs = missingScopes.map((all) => all.join(' and ')).join('; or ');
  return {
    message: `Not authorized to read ${coordinate}: needs scope ${needs}.`,
    locations: expect.any(Array),
    path,
    extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate, requiredScopes, missingScopes },
  };
}

type Received = Partial<Record<SampleSubgraph, string[]>>;
interface Run {
  readonly status?: number;
  readonly body: unknown;
  /** Coordinates each subgraph received; a subgraph not named received nothing. */
  readonly received: Received;
}
interface Attack {
  readonly shape: string;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly operationName?: string;
  readonly without: readonly string[];
  readonly with: readonly string[];
  /** The expected runs; functions when they depend on data read in `beforeAll`. */
  readonly denied: Run | (() => Run);
  readonly allowed: Run | (() => Run);
}

const resolve = (run: Run | (() => Run)): Run => (typeof run === 'function' ? run() : run);

/** What `find(query: "procurement", first: 3)` ranks, in order (the seeded knowledge base). */
const FIND_HITS: { kind: 'passage' | 'note'; id: string }[] = [];

const ATTACKS: Attack[] = [
  {
    shape: 'aliases (two aliases of one denied field)',
    query: '{ customer(id: "C-0001") { name contact: email backup: email } }',
    without: READER,
    with: [...READER, 'Customers.PII.Read'],
    denied: {
      body: {
        data: { customer: { name: C1.name, contact: null, backup: null } },
        errors: [denied(['customer', 'contact'], 'Customer.email', [['Customers.PII.Read']]), denied(['customer', 'backup'], 'Customer.email', [['Customers.PII.Read']])],
      },
      received: { customers: ['Customer.name', 'Query.customer'] },
    },
    allowed: {
      body: { data: { customer: { name: C1.name, contact: C1.email, backup: C1.email } } },
      received: { customers: ['Customer.email', 'Customer.name', 'Query.customer'] },
    },
  },
  {
    shape: 'named fragment spread in two places',
    query: 'query { customer(id: "C-0001") { ...Contact } customers(first: 1, offset: 1) { ...Contact } } fragment Contact on Customer { name phone }',
    without: READER,
    with: [...READER, 'Customers.PII.Read'],
    denied: {
      body: {
        data: { customer: { name: C1.name, phone: null }, customers: [{ name: C2.name, phone: null }] },
        errors: [denied(['customer', 'phone'], 'Customer.phone', [['Customers.PII.Read']]), denied(['customers', 0, 'phone'], 'Customer.phone', [['Customers.PII.Read']])],
      },
      received: { customers: ['Customer.name', 'Query.customer', 'Query.customers'] },
    },
    allowed: {
      body: { data: { customer: { name: C1.name, phone: C1.phone }, customers: [{ name: C2.name, phone: C2.phone }] } },
      received: { customers: ['Customer.name', 'Customer.phone', 'Query.customer', 'Query.customers'] },
    },
  },
  {
    shape: 'inline fragment on the field\'s own type',
    query: '{ customer(id: "C-0001") { ... on Customer { name email } } }',
    without: READER,
    with: [...READER, 'Customers.PII.Read'],
    denied: {
      body: { data: { customer: { name: C1.name, email: null } }, errors: [denied(['customer', 'email'], 'Customer.email', [['Customers.PII.Read']])] },
      received: { customers: ['Customer.name', 'Query.customer'] },
    },
    allowed: {
      body: { data: { customer: { name: C1.name, email: C1.email } } },
      received: { customers: ['Customer.email', 'Customer.name', 'Query.customer'] },
    },
  },
  ...[true, false].map(
    (pii): Attack => ({
      shape: `@include / @skip with a variable (pii: ${pii})`,
      query: 'query ($pii: Boolean!) { customer(id: "C-0001") { name email @include(if: $pii) phone @skip(if: $pii) } }',
      variables: { pii },
      without: READER,
      with: [...READER, 'Customers.PII.Read'],
      denied: {
        body: {
          data: { customer: pii ? { name: C1.name, email: null } : { name: C1.name, phone: null } },
          errors: [denied(['customer', pii ? 'email' : 'phone'], pii ? 'Customer.email' : 'Customer.phone', [['Customers.PII.Read']])],
        },
        // Both were removed, whatever the variable says: it is not trusted to hide them.
        received: { customers: ['Customer.name', 'Query.customer'] },
      },
      allowed: {
        body: { data: { customer: pii ? { name: C1.name, email: C1.email } : { name: C1.name, phone: C1.phone } } },
        received: { customers: ['Customer.email', 'Customer.name', 'Customer.phone', 'Query.customer'] },
      },
    }),
  ),
  {
    shape: 'nested selection back into another subgraph (customer → orders → customer.email)',
    query: '{ customer(id: "C-0002") { orders(first: 1) { customer { id email } } } }',
    without: READER,
    with: [...READER, 'Customers.PII.Read'],
    denied: {
      body: {
        data: { customer: { orders: [{ customer: { id: C2.id, email: null } }] } },
        errors: [denied(['customer', 'orders', 0, 'customer', 'email'], 'Customer.email', [['Customers.PII.Read']])],
      },
      received: { customers: ['Customer.id', 'Query.customer'], orders: ['Customer.id', 'Customer.orders', 'Order.customer', 'Query._orderCustomersByIds'] },
    },
    allowed: {
      body: { data: { customer: { orders: [{ customer: { id: C2.id, email: C2.email } }] } } },
      received: {
        customers: ['Customer.email', 'Customer.id', 'Query._customersByIds', 'Query.customer'],
        orders: ['Customer.id', 'Customer.orders', 'Order.customer', 'Query._orderCustomersByIds'],
      },
    },
  },
  {
    shape: 'fields merged in from other subgraphs (Customer.lifetimeValue, Customer.orders, Customer.notes)',
    query: '{ customer(id: "C-0001") { name lifetimeValue orders(first: 1) { total } notes(first: 1) { id } } }',
    without: READER,
    with: ALL,
    denied: {
      body: {
        data: { customer: { name: C1.name, lifetimeValue: null, orders: [{ total: null }], notes: null } },
        errors: [
          denied(['customer', 'lifetimeValue'], 'Customer.lifetimeValue', [['Orders.Read']]),
          denied(['customer', 'orders', 0, 'total'], 'Order.total', [['Orders.Read']]),
          denied(['customer', 'notes'], 'Customer.notes', [['Customers.PII.Read', 'Knowledge.Read']], [['Customers.PII.Read']]),
        ],
      },
      received: { customers: ['Customer.id', 'Customer.name', 'Query.customer'], orders: ['Customer.orders', 'Query._orderCustomersByIds'] },
    },
    allowed: {
      body: { data: { customer: { name: C1.name, lifetimeValue: expect.any(Number), orders: [{ total: expect.any(Number) }], notes: [{ id: 'N-002' }] } } },
      received: {
        customers: ['Customer.id', 'Customer.name', 'Query.customer'],
        orders: ['Customer.lifetimeValue', 'Customer.orders', 'Order.total', 'Query._orderCustomersByIds'],
        knowledge: ['Customer.notes', 'CustomerNote.id', 'Query._knowledgeCustomersByIds'],
      },
    },
  },
  {
    // Fields merged in from another subgraph are nullable in the gateway's graph (so that one
    // subgraph's failure nulls only its fields): the denial nulls the field, not the customer.
    shape: 'a denied field merged in from another subgraph (Customer.documents, [Document!]! there) is null, its parent kept',
    query: '{ customer(id: "C-0001") { name documents(first: 1) { title } } }',
    without: ['Customers.Read'],
    with: READER,
    denied: {
      body: { data: { customer: { name: C1.name, documents: null } }, errors: [denied(['customer', 'documents'], 'Customer.documents', [['Knowledge.Read']])] },
      received: { customers: ['Customer.name', 'Query.customer'] },
    },
    allowed: {
      body: { data: { customer: { name: C1.name, documents: [{ title: document('D-012').title }] } } },
      received: {
        customers: ['Customer.id', 'Customer.name', 'Query.customer'],
        knowledge: ['Customer.documents', 'Customer.id', 'Document.title', 'Query._knowledgeCustomersByIds'],
      },
    },
  },
  {
    shape: 'interface field: Document.body requires every implementation\'s rule, even on a standard document',
    query: '{ document(id: "D-006") { id title body } }',
    without: READER,
    with: [...READER, 'Knowledge.Read.Confidential'],
    denied: {
      body: {
        data: { document: { id: 'D-006', title: document('D-006').title, body: null } },
        errors: [denied(['document', 'body'], 'Document.body', [['Knowledge.Read.Confidential']])],
      },
      received: { knowledge: ['Document.id', 'Document.title', 'Query.document'] },
    },
    allowed: {
      body: { data: { document: { id: 'D-006', title: document('D-006').title, body: document('D-006').body } } },
      received: { knowledge: ['Document.body', 'Document.id', 'Document.title', 'Query.document'] },
    },
  },
  {
    shape: '... on ConfidentialDocument next to ... on StandardDocument, over a list',
    query: '{ customer(id: "C-0001") { documents(first: 3) { id ... on ConfidentialDocument { body } ... on StandardDocument { body } } } }',
    without: READER,
    with: [...READER, 'Knowledge.Read.Confidential'],
    denied: {
      body: {
        data: { customer: { documents: [{ id: 'D-012', body: null }, { id: 'D-006', body: document('D-006').body }, { id: 'D-002', body: null }] } },
        errors: [
          denied(['customer', 'documents', 0, 'body'], 'ConfidentialDocument.body', [['Knowledge.Read.Confidential']]),
          denied(['customer', 'documents', 2, 'body'], 'ConfidentialDocument.body', [['Knowledge.Read.Confidential']]),
        ],
      },
      received: {
        customers: ['Customer.id', 'Query.customer'],
        knowledge: ['Customer.documents', 'Customer.id', 'Document.id', 'Query._knowledgeCustomersByIds', 'StandardDocument.body'],
      },
    },
    allowed: {
      body: { data: { customer: { documents: ['D-012', 'D-006', 'D-002'].map((id) => ({ id, body: document(id).body })) } } },
      received: {
        customers: ['Customer.id', 'Query.customer'],
        knowledge: ['ConfidentialDocument.body', 'Customer.documents', 'Customer.id', 'Document.id', 'Query._knowledgeCustomersByIds', 'StandardDocument.body'],
      },
    },
  },
  {
    shape: 'union member with a type rule (... on CustomerNote in find)',
    query: '{ find(query: "procurement", first: 3) { __typename ... on Passage { document { id } } ... on CustomerNote { author text } } }',
    without: READER,
    with: [...READER, 'Customers.PII.Read'],
    denied: () => ({
      body: {
        data: { find: FIND_HITS.map((hit) => (hit.kind === 'passage' ? { __typename: 'Passage', document: { id: hit.id } } : { __typename: 'CustomerNote', author: null, text: null })) },
        errors: FIND_HITS.flatMap((hit, i) =>
          hit.kind === 'note' ? [denied(['find', i, 'author'], 'CustomerNote.author', [['Customers.PII.Read']]), denied(['find', i, 'text'], 'CustomerNote.text', [['Customers.PII.Read']])] : [],
        ),
      },
      received: { knowledge: ['Document.id', 'Passage.document', 'Query.find'] },
    }),
    allowed: () => ({
      body: {
        data: {
          find: FIND_HITS.map((hit) =>
            hit.kind === 'passage' ? { __typename: 'Passage', document: { id: hit.id } } : { __typename: 'CustomerNote', author: note(hit.id).author, text: note(hit.id).text },
          ),
        },
      },
      received: { knowledge: ['CustomerNote.author', 'CustomerNote.text', 'Document.id', 'Passage.document', 'Query.find'] },
    }),
  },
  {
    shape: 'non-null propagation through a union: a denied CustomerNote.id (ID!) nulls the whole list',
    query: '{ find(query: "procurement", first: 3) { ... on Passage { score } ... on CustomerNote { id } } }',
    without: READER,
    with: [...READER, 'Customers.PII.Read'],
    denied: () => ({
      body: { data: { find: null }, errors: [denied(['find', FIND_HITS.findIndex((h) => h.kind === 'note'), 'id'], 'CustomerNote.id', [['Customers.PII.Read']])] },
      received: { knowledge: ['Passage.score', 'Query.find'] },
    }),
    allowed: () => ({
      body: { data: { find: FIND_HITS.map((hit) => (hit.kind === 'passage' ? { score: expect.any(Number) } : { id: hit.id })) } },
      received: { knowledge: ['CustomerNote.id', 'Passage.score', 'Query.find'] },
    }),
  },
  {
    shape: 'introspection meta-field next to data: __type of a hidden type',
    query: '{ __type(name: "CustomerNote") { name } customer(id: "C-0001") { name } }',
    without: READER,
    with: [...READER, 'Customers.PII.Read'],
    denied: { body: { data: { __type: null, customer: { name: C1.name } } }, received: { customers: ['Customer.name', 'Query.customer'] } },
    allowed: { body: { data: { __type: { name: 'CustomerNote' }, customer: { name: C1.name } } }, received: { customers: ['Customer.name', 'Query.customer'] } },
  },
  {
    shape: 'operationName selecting the denied one of two operations',
    query: 'query Safe { customer(id: "C-0001") { name } } query Sneaky { customer(id: "C-0001") { email } }',
    operationName: 'Sneaky',
    without: READER,
    with: [...READER, 'Customers.PII.Read'],
    denied: {
      body: { data: { customer: { email: null } }, errors: [denied(['customer', 'email'], 'Customer.email', [['Customers.PII.Read']])] },
      received: { customers: ['Query.customer'] },
    },
    allowed: { body: { data: { customer: { email: C1.email } } }, received: { customers: ['Customer.email', 'Query.customer'] } },
  },
  {
    shape: 'the subgraphs\' plumbing (merge resolvers) queried directly',
    query: '{ _customersByIds(ids: ["C-0001"]) { email } }',
    without: READER,
    with: ALL,
    denied: {
      body: { errors: [{ message: 'Cannot query field "_customersByIds" on type "Query".', locations: [{ line: 1, column: 3 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] },
      received: {},
    },
    allowed: {
      body: { errors: [{ message: 'Cannot query field "_customersByIds" on type "Query".', locations: [{ line: 1, column: 3 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] },
      received: {},
    },
  },
  {
    shape: 'an alias posing as the gateway\'s own __typename alias',
    query: '{ documents(first: 1) { __meshgate_typename: title } }',
    without: READER,
    with: ALL,
    denied: {
      status: 400,
      body: { errors: [{ message: 'The alias "__meshgate_typename" is reserved by the gateway.', extensions: { code: 'BAD_REQUEST' } }] },
      received: {},
    },
    allowed: {
      status: 400,
      body: { errors: [{ message: 'The alias "__meshgate_typename" is reserved by the gateway.', extensions: { code: 'BAD_REQUEST' } }] },
      received: {},
    },
  },
];


let demo: TestDemo;
const tokens = new Map<string, string>();

async function tokenFor(scopes: readonly string[]): Promise<string> {
  const key = [...scopes].sort().join(' ');
  let token = tokens.get(key);
  if (!token) {
    token = await demo.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername, scopes });
    tokens.set(key, token);
  }
  return token;
}

async function post(attack: Attack, scopes: readonly string[]): Promise<{ status: number; body: unknown }> {
  const response = await fetch(demo.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(scopes)}` },
    body: JSON.stringify({ query: attack.query, variables: attack.variables, operationName: attack.operationName }),
  });
  return { status: response.status, body: await response.json() };
}

function received(): Received {
  const out: Received = {};
  for (const name of ['customers', 'orders', 'knowledge'] as const) {
    const coordinates = receivedCoordinates(name, demo.received[name]);
    if (coordinates.length) out[name] = coordinates;
  }
  return out;
}

beforeAll(async () => {
  demo = await startTestDemo();
  // The ranking of `find` comes from the seeded data: read it once, as the union rows' callers
  // (without Knowledge.Read.Confidential, which would search confidential bodies too).
  const ranked = await fetch(demo.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor([...READER, 'Customers.PII.Read'])}` },
    body: JSON.stringify({ query: '{ find(query: "procurement", first: 3) { ... on Passage { document { id } } ... on CustomerNote { id } } }' }),
  });
  const { data } = (await ranked.json()) as { data: { find: ({ document: { id: string } } | { id: string })[] } };
  for (const hit of data.find) FIND_HITS.push('document' in hit ? { kind: 'passage', id: hit.document.id } : { kind: 'note', id: hit.id });
});
afterAll(async () => {
  await demo?.close();
});
beforeEach(() => {
  for (const recorder of Object.values(demo.received)) recorder.clear();
});

describe('bypass attempts, each without and with the scopes it needs', () => {
  it('finds both kinds of hit for "procurement" (the union rows below rely on it)', () => {
    expect(FIND_HITS.map((h) => h.kind).sort()).toEqual(['note', 'note', 'passage']);
  });

  describe.each(ATTACKS)('$shape', (attack) => {
    it('without the scopes: null and an error at each denied path; no subgraph receives the denied fields', async () => {
      const response = await post(attack, attack.without);
      const expected = resolve(attack.denied);
      expect(response).toEqual({ status: expected.status ?? 200, body: expected.body });
      expect(received()).toEqual(expected.received);
    });

    it('with the scopes: the whole answer', async () => {
      const response = await post(attack, attack.with);
      const expected = resolve(attack.allowed);
      expect(response).toEqual({ status: expected.status ?? 200, body: expected.body });
      expect(received()).toEqual(expected.received);
    });
  });
});

describe('bypass attempts outside the operation text', () => {
  it('refuses a batched request array when limits.batch is false, and runs none of it', async () => {
    const response = await fetch(demo.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(READER)}` },
      body: JSON.stringify([{ query: '{ customer(id: "C-0001") { name } }' }, { query: '{ customer(id: "C-0001") { email } }' }]),
    });
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 400,
      body: { errors: [{ message: 'Batching is not supported.', extensions: { code: 'BAD_REQUEST' } }] },
    });
    expect(received()).toEqual({});
  });

  it('filters a GET request exactly like a POST', async () => {
    const url = `${demo.graphqlUrl}?query=${encodeURIComponent('{ customer(id: "C-0001") { name email } }')}`;
    const response = await fetch(url, { headers: { accept: 'application/json', authorization: `Bearer ${await tokenFor(READER)}` } });
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 200,
      body: { data: { customer: { name: C1.name, email: null } }, errors: [denied(['customer', 'email'], 'Customer.email', [['Customers.PII.Read']])] },
    });
    expect(received()).toEqual({ customers: ['Customer.name', 'Query.customer'] });
  });
});
