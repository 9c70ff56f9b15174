import { request as httpRequest } from 'node:http';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../../src/demo/start-demo.js';
import { DEMO_AGENT_ROLES, DEMO_APPS, DEMO_SCOPES, DEMO_TENANT_ID, DEMO_USERS } from '../../src/idp/demo-directory.js';
import { createMemoryAuditSink, type AuditEvent } from '../../src/observability/audit-sink.js';
import { invalidRequest, invalidToken, nowSeconds, postRaw, type Expected } from '../auth/gateway-support.js';
import { recordRequests, type Recorder } from '../exchange/support.js';
import { startDemoOnFreePorts } from './support.js';

// The direct lane (src/server/direct-lane.ts): once yoga's full pipeline has forwarded an
// operation text for a scope set (whole to one subgraph, or as a planned batched merge), the
// same request (same text, same operation name, same scope set, valid token) is answered
// without yoga. Everything else must
// be answered exactly as yoga answers it. Which path answered is told by the Prometheus counter
// `meshgate_direct_lane_answers_total` (GET /metrics); the answers themselves are compared
// byte for byte with yoga's.
//
// Real HTTP on loopback: the dev identity provider, the three sample subgraphs (each recording
// the token and operation of every request), the gateway with a memory audit sink. The clock
// skew is 1 s so that a token can expire, after the lane has verified it, within a test.

const received: Record<'customers' | 'orders' | 'knowledge', Recorder> = {
  customers: recordRequests(),
  orders: recordRequests(),
  knowledge: recordRequests(),
};
const audit = createMemoryAuditSink();
const CLOCK_SKEW_SECONDS = 1;

let demo: Demo;
beforeAll(async () => {
  demo = await startDemoOnFreePorts({
    auditSink: audit,
    configure: (config) => ({ ...config, auth: { ...config.auth, clockSkew: `${CLOCK_SKEW_SECONDS}s` } }),
    subgraphPlugins: {
      customers: [received.customers.plugin],
      orders: [received.orders.plugin],
      knowledge: [received.knowledge.plugin],
    },
  });
});
afterAll(async () => {
  await demo?.close();
});

/** What came back over HTTP: the body as its bytes (text), and every header but `date`. */
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
}

interface Send {
  /** Default: the demo person's token (every scope); null: no Authorization header. */
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
  /** Appended to /graphql, e.g. `?access_token=...`. */
  readonly search?: string;
  /** Default application/json. */
  readonly contentType?: string;
}

/** POSTs `body` (an object is sent as JSON) to the gateway's /graphql. */
async function post(body: unknown, options: Send = {}): Promise<Answer> {
  const token = options.token === undefined ? demo.tokens.person : options.token;
  const response = await fetch(`${demo.graphqlUrl}${options.search ?? ''}`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
      ...options.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'date') headers[name] = value;
  });
  return { status: response.status, headers, text: await response.text() };
}

/** The same request with an `Origin` header: never taken by the lane (yoga answers, with CORS). */
function postToYoga(body: unknown, options: Send = {}): Promise<Answer> {
  return post(body, { ...options, headers: { ...options.headers, origin: 'http://yoga.example' } });
}

/** POSTs a JSON body in chunks (Transfer-Encoding: chunked), a pause between them. */
function postChunked(pieces: readonly Buffer[]): Promise<{ status: number; contentType: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(demo.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.tokens.person}`, 'transfer-encoding': 'chunked' },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    void (async () => {
      for (const piece of pieces) {
        req.write(piece);
        await sleep(30);
      }
      req.end();
    })();
  });
}

/** The value of `meshgate_direct_lane_answers_total` on GET /metrics. */
async function laneAnswers(): Promise<number> {
  const response = await fetch(`${demo.server.url}/metrics`);
  expect(response.status).toBe(200);
  const match = /^meshgate_direct_lane_answers_total (\d+)$/m.exec(await response.text());
  if (!match) throw new Error('meshgate_direct_lane_answers_total is not exposed on /metrics');
  return Number(match[1]);
}

/** Runs `request` and tells how many requests the lane answered meanwhile (tests run one at a time). */
async function counted<T>(request: () => Promise<T>): Promise<{ answer: T; lane: number }> {
  const before = await laneAnswers();
  const answer = await request();
  return { answer, lane: (await laneAnswers()) - before };
}

/** The answer the lane gives: status, headers, body. Yoga's own must be the same but for CORS. */
function jsonAnswer(text: string, mediaType = 'application/json'): Answer {
  return {
    status: 200,
    headers: {
      connection: 'keep-alive',
      'content-length': String(Buffer.byteLength(text)),
      'content-type': `${mediaType}; charset=utf-8`,
      'keep-alive': 'timeout=65',
    },
    text,
  };
}

/** Status, challenge and body of a refused request. */
function refusal(answer: Answer): Expected {
  return { status: answer.status, challenge: answer.headers['www-authenticate'] ?? null, body: JSON.parse(answer.text) as unknown };
}

function clearReceived(): void {
  for (const recorder of Object.values(received)) recorder.clear();
}
/** How many operations (not `{ _sdl }` reads) each subgraph received since `clearReceived()`. */
function receivedCounts(): Record<string, number> {
  return Object.fromEntries(Object.entries(received).map(([name, recorder]) => [name, recorder.operations().length]));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Warms `body` for the scope set of `options.token` (default the person's): yoga answers it first, the lane the second time. */
async function warm(body: unknown, options: Send = {}): Promise<Answer> {
  const first = await counted(() => post(body, options));
  expect(first.lane).toBe(0);
  expect(first.answer.status).toBe(200);
  const second = await counted(() => post(body, options));
  expect(second.lane).toBe(1);
  expect(second.answer).toEqual(first.answer);
  return second.answer;
}

describe('direct lane: the same answer, without the pipeline', () => {
  // One operation text per Accept value, so that the first request of each is yoga's.
  const accepts: (string | undefined)[] = [
    undefined,
    '*/*',
    'application/json',
    'application/graphql-response+json',
    'application/graphql-response+json, application/json',
    'application/json, application/graphql-response+json',
    'text/event-stream, application/json',
    'application/*;q=0.9',
  ];
  const mediaTypeFor = (accept: string | undefined) =>
    accept?.startsWith('application/graphql-response+json') ? 'application/graphql-response+json' : 'application/json';

  for (const [index, accept] of accepts.entries()) {
    it(`answers the second identical request itself, byte for byte as yoga answered the first (Accept: ${accept ?? 'absent'})`, async () => {
      const id = `C-00${String(index + 11).padStart(2, '0')}`;
      const query = `{ customer(id: "${id}") { id name segment region } }`;
      const headers: Record<string, string> = accept === undefined ? {} : { accept };
      clearReceived();

      const first = await counted(() => post({ query }, { headers }));
      expect(first.lane).toBe(0);
      const data = (JSON.parse(first.answer.text) as { data: { customer: Record<string, unknown> } }).data;
      expect(data).toEqual({ customer: { id, name: expect.any(String), segment: expect.any(String), region: expect.any(String) } });
      expect(first.answer).toEqual(jsonAnswer(JSON.stringify({ data }), mediaTypeFor(accept)));

      const second = await counted(() => post({ query }, { headers }));
      expect(second.lane).toBe(1);
      expect(second.answer).toEqual(first.answer);
      // Both went to the customers subgraph (the lane does call it), nothing to the others.
      expect(receivedCounts()).toEqual({ customers: 2, orders: 0, knowledge: 0 });
    });
  }

  it('answers again when the operation name is given as null, like an absent one', async () => {
    const query = '{ customer(id: "C-0021") { id name } }';
    const lane = await warm({ query });
    const withNull = await counted(() => post({ query, operationName: null, variables: null }));
    expect(withNull.lane).toBe(1);
    expect(withNull.answer).toEqual(lane);
  });

  it('reads a chunked body whose pieces split a multi-byte character', async () => {
    const query = '{ customers(first: 3, region: "Zürich – Österreich") { id } }';
    const lane = await warm({ query });
    expect(lane).toEqual(jsonAnswer('{"data":{"customers":[]}}'));
    const body = Buffer.from(JSON.stringify({ query }), 'utf8');
    const split = body.indexOf(Buffer.from('ü', 'utf8')) + 1;
    const pieces = [body.subarray(0, 7), body.subarray(7, split), body.subarray(split)];
    const chunked = await counted(() => postChunked(pieces));
    expect(chunked.lane).toBe(1);
    expect(chunked.answer).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', text: lane.text });
  });

  it('never answers what the full pipeline did not forward: operations left to stitching, introspection, GET', async () => {
    const texts = [
      // Fragments and directives are left to stitching (neither forwarded whole nor planned).
      '{ customer(id: "C-0001") { ...F } } fragment F on Customer { name orderCount }',
      '{ customer(id: "C-0001") @include(if: true) { name orderCount } }',
      '{ __schema { queryType { name } } }',
      '{ __typename customer(id: "C-0001") { id } __schema { queryType { name } } }',
    ];
    for (const query of texts) {
      const first = await counted(() => post({ query }));
      const second = await counted(() => post({ query }));
      expect([first.lane, second.lane, second.answer.status]).toEqual([0, 0, 200]);
      expect(second.answer).toEqual(first.answer);
    }
    // GET is yoga's, even for a warmed text.
    const query = '{ customer(id: "C-0022") { id name } }';
    const lane = await warm({ query });
    const viaGet = await counted(async () => {
      const response = await fetch(`${demo.graphqlUrl}?query=${encodeURIComponent(query)}`, { headers: { authorization: `Bearer ${demo.tokens.person}` } });
      return { status: response.status, text: await response.text() };
    });
    expect(viaGet).toEqual({ answer: { status: 200, text: lane.text }, lane: 0 });
  });
});

describe('direct lane: scope sets and callers', () => {
  const QUERY = '{ customer(id: "C-0002") { id name email } }';

  it('never gives a caller whose scopes lack a selected field the warmed answer; another user with the same scopes gets it with their own subgraph token', async () => {
    // B: Customers.Read only, so Customer.email is denied. Asked before anyone warmed the text.
    const tokenB = await demo.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername, scopes: ['Customers.Read'] });
    clearReceived();
    const beforeWarm = await counted(() => post({ query: QUERY }, { token: tokenB }));
    expect(beforeWarm.lane).toBe(0);
    const denied = JSON.parse(beforeWarm.answer.text) as { data: { customer: { name: string } } };
    expect(denied).toEqual({
      data: { customer: { id: 'C-0002', name: expect.any(String), email: null } },
      errors: [
        {
          message: 'Not authorized to read Customer.email: needs scope Customers.PII.Read.',
          locations: [{ line: 1, column: QUERY.indexOf('email') + 1 }],
          path: ['customer', 'email'],
          extensions: {
            code: 'UNAUTHORIZED_FIELD_OR_TYPE',
            coordinate: 'Customer.email',
            requiredScopes: [['Customers.PII.Read']],
            missingScopes: [['Customers.PII.Read']],
          },
        },
      ],
    });
    expect(beforeWarm.answer).toEqual(jsonAnswer(beforeWarm.answer.text));

    // A: every scope, warms the text.
    const laneA = await warm({ query: QUERY });
    const customerA = JSON.parse(laneA.text) as { data: { customer: { email: string } } };
    expect(customerA).toEqual({ data: { customer: { id: 'C-0002', name: denied.data.customer.name, email: expect.stringContaining('@') } } });
    const tokensOfA = received.customers.operations().map((r) => r.token);
    expect(received.customers.operations().map((r) => r.claims?.['oid'])).toEqual([DEMO_USERS.alan.oid, DEMO_USERS.ada.oid, DEMO_USERS.ada.oid]);

    // B again, after the warm-up: yoga, the very same denial, and email never sent to the subgraph.
    clearReceived();
    const afterWarm = await counted(() => post({ query: QUERY }, { token: tokenB }));
    expect(afterWarm.lane).toBe(0);
    expect(afterWarm.answer).toEqual(beforeWarm.answer);
    expect(received.customers.operations().map((r) => r.query.includes('email'))).toEqual([false]);

    // C: another user (Alan), the same scope set as A (listed in another order): the lane
    // answers, and the subgraph got a token exchanged for C, not A's.
    const tokenC = await demo.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername, scopes: [...DEMO_SCOPES].reverse() });
    clearReceived();
    const asC = await counted(() => post({ query: QUERY }, { token: tokenC }));
    expect(asC.lane).toBe(1);
    expect(asC.answer).toEqual(laneA);
    const [callOfC, ...more] = received.customers.operations();
    expect(more).toEqual([]);
    expect(callOfC?.claims).toMatchObject({ oid: DEMO_USERS.alan.oid, aud: DEMO_APPS.customers.clientId });
    expect(tokensOfA).not.toContain(callOfC?.token);
    expect(receivedCounts()).toEqual({ customers: 1, orders: 0, knowledge: 0 });
  });

  it('gives the lane\'s planned merges (two subgraphs) each subgraph a token of the caller, never of the caller who warmed it', async () => {
    const query = '{ customer(id: "C-0024") { id name orderCount } }';
    clearReceived();
    const lane = await warm({ query });
    expect(JSON.parse(lane.text)).toEqual({ data: { customer: { id: 'C-0024', name: expect.any(String), orderCount: expect.any(Number) } } });
    const alan = await demo.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername });
    clearReceived();
    const asAlan = await counted(() => post({ query }, { token: alan }));
    expect(asAlan.lane).toBe(1);
    expect(asAlan.answer).toEqual(lane);
    expect(receivedCounts()).toEqual({ customers: 1, orders: 1, knowledge: 0 });
    expect([...received.customers.operations(), ...received.orders.operations()].map((r) => [r.claims?.['oid'], r.claims?.['aud']])).toEqual([
      [DEMO_USERS.alan.oid, DEMO_APPS.customers.clientId],
      [DEMO_USERS.alan.oid, DEMO_APPS.orders.clientId],
    ]);
  });

  it('keeps callers apart when the lane answers them at the same time', async () => {
    const query = '{ customer(id: "C-0023") { id name } }';
    const lane = await warm({ query });
    const alan = await demo.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername });
    clearReceived();
    audit.events.splice(0);
    const tokens = Array.from({ length: 8 }, (_, i) => (i % 2 ? alan : demo.tokens.person));
    const all = await counted(() => Promise.all(tokens.map((token) => post({ query }, { token }))));
    expect(all.lane).toBe(8);
    expect(all.answer).toEqual(tokens.map(() => lane));
    const expectedOids = [...Array(4).fill(DEMO_USERS.ada.oid), ...Array(4).fill(DEMO_USERS.alan.oid)].sort();
    expect(received.customers.operations().map((r) => r.claims?.['oid']).sort()).toEqual(expectedOids);
    expect(audit.events.map((e) => e.principal?.objectId).sort()).toEqual(expectedOids);
  });

  it('gives an app caller whose roles equal a person\'s scopes the lane, with the app\'s own subgraph token', async () => {
    const query = '{ customers(first: 2, offset: 40) { id name } }';
    const person = await demo.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername, scopes: [...DEMO_AGENT_ROLES] });
    clearReceived();
    const lane = await warm({ query }, { token: person });
    expect(received.customers.operations().map((r) => r.claims?.['oid'])).toEqual([DEMO_USERS.alan.oid, DEMO_USERS.alan.oid]);

    clearReceived();
    audit.events.splice(0);
    const asAgent = await counted(() => post({ query }, { token: demo.tokens.agent }));
    expect(asAgent.lane).toBe(1);
    expect(asAgent.answer).toEqual(lane);
    const [call] = received.customers.operations();
    expect(call?.claims?.['oid']).not.toBe(DEMO_USERS.alan.oid);
    expect(call?.claims?.['scp']).toBeUndefined();
    expect(audit.events.map((e) => [e.principal, e.subgraphs])).toEqual([
      [
        { tenantId: DEMO_TENANT_ID, objectId: expect.any(String), clientId: DEMO_APPS.agent.clientId, kind: 'app' },
        [{ subgraph: 'customers', audience: 'api://customers', tokenSource: 'client-credentials', fromCache: true, calls: 1 }],
      ],
    ]);
  });
});

describe('direct lane: refused tokens get yoga\'s answer', () => {
  // Warmed for a person's scope set and for the agent's (an app: its subgraph token is the
  // gateway's own, so nothing downstream would notice a token the lane failed to refuse).
  const QUERY = '{ customer(id: "C-0003") { id name } }';
  let warmed: Answer;
  beforeAll(async () => {
    warmed = await warm({ query: QUERY });
    expect(await warm({ query: QUERY }, { token: demo.tokens.agent })).toEqual(warmed);
  });

  /** Sends `request`, and the same through yoga; both refused alike, by yoga, nothing reaching a subgraph. */
  async function expectRefused(request: (yoga: boolean) => Promise<Answer>, expected: Expected): Promise<void> {
    clearReceived();
    const viaLane = await counted(() => request(false));
    expect(viaLane.lane).toBe(0);
    expect(refusal(viaLane.answer)).toEqual(expected);
    expect(viaLane.answer.headers['content-type']).toBe('application/json; charset=utf-8');
    const viaYoga = await counted(() => request(true));
    expect(viaYoga.lane).toBe(0);
    expect(refusal(viaYoga.answer)).toEqual(refusal(viaLane.answer));
    expect(receivedCounts()).toEqual({ customers: 0, orders: 0, knowledge: 0 });
  }
  const send = (token: string, options: Send = {}) => (yoga: boolean) => (yoga ? postToYoga : post)({ query: QUERY }, { ...options, token });
  const sendRaw = (authorization: string[]) => (yoga: boolean) =>
    postRaw(demo.graphqlUrl, [...authorization, ...(yoga ? ['origin', 'http://yoga.example'] : [])], QUERY).then(
      (o): Answer => ({ status: o.status, headers: Object.fromEntries(o.headers), text: JSON.stringify(o.body) }),
    );
  /** A token with its payload replaced by `change(claims)`, the signature kept. */
  const forge = (token: string, change: (claims: Record<string, unknown>) => Record<string, unknown>) => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    return `${header}.${Buffer.from(JSON.stringify(change(claims))).toString('base64url')}.${signature}`;
  };
  const flipSignature = (token: string) => `${token.slice(0, -6)}${token.slice(-6, -5) === 'A' ? 'B' : 'A'}${token.slice(-5)}`;

  it('an expired token (same scope set as a warmed one), a person\'s or an app\'s', async () => {
    const now = nowSeconds();
    const claims = { iat: now - 7200, nbf: now - 7200, exp: now - 120 };
    const person = await demo.idp.mint({ kind: 'user', claims });
    expect(decodeJwt(person).scp).toBe(DEMO_SCOPES.join(' '));
    await expectRefused(send(person), invalidToken('token expired'));
    const app = await demo.idp.mint({ kind: 'app', roles: [...DEMO_AGENT_ROLES], claims });
    await expectRefused(send(app), invalidToken('token expired'));
  });

  it('a token the lane verified before, once it has expired', async () => {
    const person = await demo.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername, lifetimeSeconds: 8 });
    const app = await demo.idp.mint({ kind: 'app', roles: [...DEMO_AGENT_ROLES], lifetimeSeconds: 8 });
    for (const token of [person, app]) {
      const fresh = await counted(() => post({ query: QUERY }, { token }));
      expect(fresh.lane).toBe(1);
      expect(fresh.answer).toEqual(warmed);
    }
    const exp = Math.max(decodeJwt(person).exp as number, decodeJwt(app).exp as number);
    // Past exp and the clock skew, by a second.
    while (Date.now() <= (exp + CLOCK_SKEW_SECONDS + 1) * 1000) await sleep(250);
    await expectRefused(send(person), invalidToken('token expired'));
    await expectRefused(send(app), invalidToken('token expired'));
  });

  it('a tampered token: a payload replaced by one with the warmed scope set, or a signature changed', async () => {
    const fewScopes = await demo.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername, scopes: ['Orders.Read'] });
    await expectRefused(send(forge(fewScopes, (claims) => ({ ...claims, scp: DEMO_SCOPES.join(' ') }))), invalidToken('invalid signature'));
    const fewRoles = await demo.idp.mint({ kind: 'app', roles: ['Orders.Read'] });
    await expectRefused(send(forge(fewRoles, (claims) => ({ ...claims, roles: [...DEMO_AGENT_ROLES] }))), invalidToken('invalid signature'));
    await expectRefused(send(flipSignature(await demo.idp.mint({ kind: 'user' }))), invalidToken('invalid signature'));
    await expectRefused(send(flipSignature(await demo.idp.mint({ kind: 'app', roles: [...DEMO_AGENT_ROLES] }))), invalidToken('invalid signature'));
  });

  it('two Authorization headers, each with a valid token of a warmed scope set', async () => {
    const other = await demo.idp.mint({ kind: 'user' });
    for (const [first, second] of [
      [demo.tokens.person, other],
      [demo.tokens.person, demo.tokens.person],
      [demo.tokens.agent, demo.tokens.agent],
    ] as const) {
      await expectRefused(sendRaw(['authorization', `Bearer ${first}`, 'authorization', `Bearer ${second}`]), invalidRequest('more than one authorization value'));
    }
    // A second, empty Authorization line.
    await expectRefused(sendRaw(['authorization', `Bearer ${demo.tokens.agent}`, 'authorization', '']), invalidRequest('more than one authorization value'));
  });

  it('access_token in the query string, next to a valid header', async () => {
    const other = await demo.idp.mint({ kind: 'user' });
    for (const token of [demo.tokens.person, demo.tokens.agent]) {
      await expectRefused(send(token, { search: `?access_token=${other}` }), invalidRequest('token in the query string is not accepted'));
    }
  });

  it('still answers the warmed text for valid tokens afterwards (the refusals above are not the lane being off)', async () => {
    for (const token of [demo.tokens.person, demo.tokens.agent]) {
      const again = await counted(() => post({ query: QUERY }, { token }));
      expect(again.lane).toBe(1);
      expect(again.answer).toEqual(warmed);
    }
  });
});

describe('direct lane: variables', () => {
  const QUERY = 'query Page($n: Int!) { customers(first: $n) { id } }';
  const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `C-${String(i + 1).padStart(4, '0')}` }));

  it('coerces variables on every request: invalid ones get graphql-js\'s answer from yoga, valid ones the lane', async () => {
    const lane = await warm({ query: QUERY, variables: { n: 2 } });
    expect(lane).toEqual(jsonAnswer(JSON.stringify({ data: { customers: ids(2) } })));

    const invalid: [unknown, string][] = [
      [{ n: 'x' }, 'Variable "$n" got invalid value "x"; Int cannot represent non-integer value: "x"'],
      [{ n: 2.5 }, 'Variable "$n" got invalid value 2.5; Int cannot represent non-integer value: 2.5'],
      [{ n: null }, 'Variable "$n" of non-null type "Int!" must not be null.'],
      [{}, 'Variable "$n" of required type "Int!" was not provided.'],
      [undefined, 'Variable "$n" of required type "Int!" was not provided.'],
    ];
    for (const [variables, message] of invalid) {
      clearReceived();
      const body = { query: QUERY, ...(variables === undefined ? {} : { variables }) };
      const refused = await counted(() => post(body));
      expect(refused.lane).toBe(0);
      const text = JSON.stringify({ errors: [{ message, locations: [{ line: 1, column: QUERY.indexOf('$n') + 1 }] }] });
      expect(refused.answer).toEqual({ ...jsonAnswer(text), status: 400 });
      const viaYoga = await postToYoga(body);
      expect([viaYoga.status, viaYoga.text]).toEqual([400, text]);
      expect(receivedCounts()).toEqual({ customers: 0, orders: 0, knowledge: 0 });
    }

    clearReceived();
    const other = await counted(() => post({ query: QUERY, variables: { n: 3 } }));
    expect(other.lane).toBe(1);
    expect(other.answer).toEqual(jsonAnswer(JSON.stringify({ data: { customers: ids(3) } })));
    expect(received.customers.operations().map((r) => r.query.includes('$n'))).toEqual([true]);
    // An extra variable the operation does not define is ignored, as by graphql-js.
    const extra = await counted(() => post({ query: QUERY, variables: { n: 1, m: 'x' } }));
    expect(extra.lane).toBe(1);
    expect(extra.answer).toEqual(jsonAnswer(JSON.stringify({ data: { customers: ids(1) } })));
  });
});

describe('direct lane: operation names', () => {
  const TWO = 'query A { customer(id: "C-0004") { id name } } query B { customers(first: 2, offset: 4) { id } }';
  const cannotDetermine = { ...jsonAnswer(JSON.stringify({ errors: [{ message: 'Could not determine what operation to execute.', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }] })), status: 400 };

  it('keeps decisions per operation name: another name goes to yoga, no name or "" gets the resolution error', async () => {
    const laneA = await warm({ query: TWO, operationName: 'A' });
    expect(JSON.parse(laneA.text)).toEqual({ data: { customer: { id: 'C-0004', name: expect.any(String) } } });

    const firstB = await counted(() => post({ query: TWO, operationName: 'B' }));
    expect(firstB.lane).toBe(0);
    expect(firstB.answer).toEqual(jsonAnswer(JSON.stringify({ data: { customers: [{ id: 'C-0005' }, { id: 'C-0006' }] } })));
    const secondB = await counted(() => post({ query: TWO, operationName: 'B' }));
    expect(secondB.lane).toBe(1);
    expect(secondB.answer).toEqual(firstB.answer);

    for (const operationName of [undefined, null, '']) {
      const body = { query: TWO, ...(operationName === undefined ? {} : { operationName }) };
      const answer = await counted(() => post(body));
      expect(answer.lane).toBe(0);
      expect(answer.answer).toEqual(cannotDetermine);
      const viaYoga = await postToYoga(body);
      expect([viaYoga.status, viaYoga.text]).toEqual([cannotDetermine.status, cannotDetermine.text]);
    }

    const unknown = await counted(() => post({ query: TWO, operationName: 'C' }));
    expect(unknown.lane).toBe(0);
    expect(unknown.answer).toEqual(cannotDetermine);
  });

  it('does not confuse "" with an absent operation name, in either direction', async () => {
    const SOLO = 'query Solo { customer(id: "C-0007") { id } }';
    const lane = await warm({ query: SOLO });
    const empty = await counted(() => post({ query: SOLO, operationName: '' }));
    expect(empty.lane).toBe(0);
    expect(empty.answer).toEqual(cannotDetermine);
    // The name given: a decision of its own (yoga first), then the lane.
    const named = await warm({ query: SOLO, operationName: 'Solo' });
    expect(named).toEqual(lane);

    const ANONYMOUS = '{ customer(id: "C-0008") { id } }';
    const firstEmpty = await counted(() => post({ query: ANONYMOUS, operationName: '' }));
    expect(firstEmpty.lane).toBe(0);
    expect(firstEmpty.answer).toEqual(cannotDetermine);
    const absent = await counted(() => post({ query: ANONYMOUS }));
    expect(absent.lane).toBe(0);
    expect(absent.answer).toEqual(jsonAnswer(JSON.stringify({ data: { customer: { id: 'C-0008' } } })));
    const emptyAgain = await counted(() => post({ query: ANONYMOUS, operationName: '' }));
    expect(emptyAgain.lane).toBe(0);
    expect(emptyAgain.answer).toEqual(cannotDetermine);
  });
});

describe('direct lane: decisions are found by the whole request, not a concatenation of it', () => {
  // The decision key joins scope set, operation name and text with NUL characters. A string
  // literal may hold a raw NUL (graphql-js accepts it), and an operation name given in the body
  // may too, so the name and the text of another request can be cut at a different NUL and
  // still join into the same key.
  it('does not answer a request whose operation name and text splice into a warmed request', async () => {
    const warmedText = 'query A { customer(id: "C-0025\u0000") { id } }';
    const lane = await warm({ query: warmedText, operationName: 'A' });
    expect(lane).toEqual(jsonAnswer('{"data":{"customer":null}}'));
    const cut = warmedText.indexOf('\u0000');
    const spliced = { query: warmedText.slice(cut + 1), operationName: `A\u0000${warmedText.slice(0, cut)}` };
    const viaYoga = await postToYoga(spliced);
    expect(JSON.parse(viaYoga.text)).toEqual({
      errors: [{ message: 'Syntax Error: Unterminated string.', locations: [{ line: 1, column: 12 }], extensions: { code: 'GRAPHQL_PARSE_FAILED' } }],
    });
    const viaLane = await counted(() => post(spliced));
    expect(viaLane.lane).toBe(0);
    expect([viaLane.answer.status, viaLane.answer.text]).toEqual([viaYoga.status, viaYoga.text]);
  });
});

describe('direct lane: everything else is yoga\'s', () => {
  const QUERY = '{ customer(id: "C-0009") { id name } }';
  let lane: Answer;
  beforeAll(async () => {
    lane = await warm({ query: QUERY });
  });

  it('a request with an Origin header gets yoga\'s CORS headers', async () => {
    const withOrigin = await counted(() => post({ query: QUERY }, { headers: { origin: 'https://app.example' } }));
    expect(withOrigin.lane).toBe(0);
    expect(withOrigin.answer).toEqual({
      status: 200,
      headers: { ...lane.headers, 'access-control-allow-origin': 'https://app.example', 'access-control-allow-credentials': 'true', vary: 'Origin' },
      text: lane.text,
    });
  });

  it('a body with extensions goes to yoga, which reads the body the lane already read', async () => {
    const withExtensions = await counted(() => post({ query: QUERY, extensions: {} }));
    expect(withExtensions.lane).toBe(0);
    expect(withExtensions.answer).toEqual(lane);
    // Key order and spacing do not matter to yoga; an unknown key is still yoga's to judge.
    const spaced = await counted(() => post(`{ "extensions": { "trace": true } ,\n "query": ${JSON.stringify(QUERY)} }`));
    expect(spaced.lane).toBe(0);
    expect(spaced.answer).toEqual(lane);
  });

  it('a batch (an array) goes to yoga, which refuses it as it would without the lane', async () => {
    const batch = [{ query: QUERY }];
    const viaLane = await counted(() => post(batch));
    expect(viaLane.lane).toBe(0);
    const viaYoga = await postToYoga(batch);
    expect([viaLane.answer.status, viaLane.answer.text]).toEqual([viaYoga.status, viaYoga.text]);
    expect(viaLane.answer.status).toBe(400);
  });

  it('other content types go to yoga; application/json with charset=utf-8 takes the lane', async () => {
    for (const contentType of ['text/plain', 'text/plain;charset=UTF-8', 'application/graphql+json']) {
      const viaLane = await counted(() => post({ query: QUERY }, { contentType }));
      expect(viaLane.lane).toBe(0);
      const viaYoga = await postToYoga({ query: QUERY }, { contentType });
      expect([viaLane.answer.status, viaLane.answer.text]).toEqual([viaYoga.status, viaYoga.text]);
    }
    const utf8 = await counted(() => post({ query: QUERY }, { contentType: 'application/json; charset=utf-8' }));
    expect(utf8.lane).toBe(1);
    expect(utf8.answer).toEqual(lane);
  });

  it('a query string on the path, an unacceptable Accept, or no token go to yoga', async () => {
    const search = await counted(() => post({ query: QUERY }, { search: '?x=1' }));
    expect(search.lane).toBe(0);
    expect(search.answer).toEqual(lane);
    const html = await counted(() => post({ query: QUERY }, { headers: { accept: 'text/html' } }));
    expect(html.lane).toBe(0);
    expect(html.answer.status).toBe(406);
    const anonymous = await counted(() => post({ query: QUERY }, { token: null }));
    expect(anonymous.lane).toBe(0);
    expect(refusal(anonymous.answer)).toEqual({
      status: 401,
      challenge: 'Bearer realm="meshgate"',
      body: { errors: [{ message: 'Unauthenticated: a bearer token is required.', extensions: { code: 'UNAUTHENTICATED' } }] },
    });
  });
});

describe('direct lane: audit', () => {
  const QUERY = 'query Audited($id: ID!) { customer(id: $id) { id name } }';
  const withoutRun = ({ time: _time, requestId: _requestId, ...rest }: AuditEvent) => rest;

  it('writes exactly one event per lane answer, equal to yoga\'s but for time and requestId, with the caller\'s x-request-id', async () => {
    const variables = { id: 'C-0010' };
    const first = await counted(() => post({ query: QUERY, variables }, { headers: { 'x-request-id': 'yoga-1' } }));
    expect(first.lane).toBe(0);
    // A yoga answer with the subgraph token already cached, like the lane's below.
    audit.events.splice(0);
    const viaYoga = await counted(() => postToYoga({ query: QUERY, variables }, { headers: { 'x-request-id': 'yoga-2' } }));
    expect(viaYoga.lane).toBe(0);
    expect(audit.events).toHaveLength(1);
    const yogaEvent = audit.events[0]!;
    expect(yogaEvent).toEqual({
      type: 'graphql.operation',
      time: expect.any(String),
      requestId: 'yoga-2',
      operationName: 'Audited',
      operationType: 'query',
      operationHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      principal: { tenantId: DEMO_TENANT_ID, objectId: DEMO_USERS.ada.oid, clientId: DEMO_APPS.graphiql.clientId, kind: 'person' },
      denied: [],
      subgraphs: [{ subgraph: 'customers', audience: 'api://customers', tokenSource: 'exchange', fromCache: true, calls: 1 }],
      outcome: 'ok',
      errorCodes: [],
    });

    audit.events.splice(0);
    const before = Date.now();
    const viaLane = await counted(() => post({ query: QUERY, variables }, { headers: { 'x-request-id': 'lane-3' } }));
    const after = Date.now();
    expect(viaLane.lane).toBe(1);
    expect(viaLane.answer.text).toBe(viaYoga.answer.text);
    expect(audit.events).toHaveLength(1);
    const laneEvent = audit.events[0]!;
    expect(withoutRun(laneEvent)).toEqual(withoutRun(yogaEvent));
    expect(laneEvent.requestId).toBe('lane-3');
    expect(Date.parse(laneEvent.time)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(laneEvent.time)).toBeLessThanOrEqual(after + 1);
    expect(JSON.stringify(laneEvent)).not.toContain('C-0010');

    // An unsafe or absent request id: a fresh UUID, as yoga does.
    audit.events.splice(0);
    for (const headers of [{ 'x-request-id': 'not a safe id!' }, {}] as Record<string, string>[]) {
      const answer = await counted(() => post({ query: QUERY, variables }, { headers }));
      expect(answer.lane).toBe(1);
    }
    expect(audit.events.map((e) => e.requestId)).toEqual([
      expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    ]);
    expect(audit.events[0]!.requestId).not.toBe(audit.events[1]!.requestId);
  });
});

describe('direct lane: a subgraph error for a warmed text', () => {
  // `first` above 100 is refused by the customers subgraph (BAD_USER_INPUT, data null). The lane
  // must leave it to yoga, which answers from the lane's result: the subgraph is called once.
  const QUERY = 'query Capped($n: Int!) { customers(first: $n) { id } }';

  it('is answered by yoga, as yoga answers it, with one audit event', async () => {
    await warm({ query: QUERY, variables: { n: 1 } });
    const body = { query: QUERY, variables: { n: 500 } };
    const reference = await postToYoga(body);
    expect(reference.status).toBe(200);
    expect(JSON.parse(reference.text)).toEqual({ data: { customers: null }, errors: [expect.objectContaining({ extensions: expect.any(Object) })] });

    audit.events.splice(0);
    received.customers.clear();
    const viaLane = await counted(() => post(body));
    expect(viaLane.lane).toBe(0);
    expect(viaLane.answer).toEqual(jsonAnswer(reference.text));
    expect(JSON.parse(reference.text).errors).toEqual([{ message: 'first must be between 0 and 100', path: ['customers'], extensions: { code: 'BAD_USER_INPUT' } }]);
    expect(received.customers.operations()).toHaveLength(1);
    expect(audit.events.map((e) => [e.operationName, e.outcome, e.errorCodes])).toEqual([['Capped', 'partial', ['BAD_USER_INPUT']]]);
  });
});
