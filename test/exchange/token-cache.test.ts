import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS } from '../../src/idp/demo-directory.js';
import {
  countByAudience,
  gatewayConfig,
  graphql,
  OBO,
  secretExchange,
  startRig,
  WHOAMI_APP,
  type Clock,
  type Rig,
  type TestGateway,
} from './support.js';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(() => {
  rig.sts.answer = () => ({ forward: true });
});

const gatewayApp = DEMO_APPS.gateway;
/** One request to each of the four subgraphs (root fields of one subgraph are batched into one call). */
const FOUR = '{ customers(first: 2) { id name } orders(first: 1) { number } documents(first: 1) { title } whoami { oid audience } }';
const ONE_EXCHANGE_EACH = { 'api://customers': 1, 'api://orders': 1, 'api://knowledge': 1, 'api://whoami': 1 };
const OWN_AUDIENCE = {
  customers: DEMO_APPS.customers.clientId,
  orders: DEMO_APPS.orders.clientId,
  knowledge: DEMO_APPS.knowledge.clientId,
  whoami: WHOAMI_APP.clientId,
} as const;

function expectData(body: { data?: unknown; errors?: unknown }, oid: string): void {
  expect(body).toEqual({
    data: {
      customers: [
        { id: 'C-0001', name: expect.any(String) },
        { id: 'C-0002', name: expect.any(String) },
      ],
      orders: [{ number: expect.stringMatching(/^SO-\d+$/) }],
      documents: [{ title: expect.any(String) }],
      whoami: { oid, audience: WHOAMI_APP.clientId },
    },
  });
}

/** OBO exchanges the test STS received since the last clear, per audience. */
const exchangesByAudience = () => countByAudience(rig.sts.grants(OBO));

/** Every operation each subgraph received carried a token of its own audience for `oid`, never the caller's token. */
function expectSubgraphTokens(callerTokens: readonly string[], oids: readonly string[]): void {
  for (const name of ['customers', 'orders', 'knowledge', 'whoami'] as const) {
    const operations = rig.subgraphs[name].received.operations();
    expect(operations.length).toBeGreaterThan(0);
    for (const received of operations) {
      expect(callerTokens).not.toContain(received.token);
      expect(received.claims).toMatchObject({ aud: OWN_AUDIENCE[name], azp: gatewayApp.clientId, tid: expect.any(String) });
      expect(received.claims?.['idtyp']).toBeUndefined();
    }
    expect(new Set(operations.map((r) => r.claims?.['oid']))).toEqual(new Set(oids));
  }
}

describe('one exchange per caller token and subgraph audience', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await rig.startGateway(gatewayConfig(rig, secretExchange(rig.sts.tokenEndpoint), ['customers', 'orders', 'knowledge', 'whoami']));
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(() => rig.clearReceived());

  it('10 sequential requests with one token: exactly one exchange per subgraph audience, then cache hits', async () => {
    const token = await rig.personToken();
    for (let i = 0; i < 10; i++) {
      const { status, body } = await graphql(gw.graphqlUrl, FOUR, { token });
      expect(status).toBe(200);
      expectData(body, DEMO_USERS.ada.oid);
    }
    expect(exchangesByAudience()).toEqual(ONE_EXCHANGE_EACH);
    expectSubgraphTokens([token], [DEMO_USERS.ada.oid]);
    for (const name of ['customers', 'orders', 'knowledge', 'whoami'] as const) {
      const operations = rig.subgraphs[name].received.operations();
      expect(operations).toHaveLength(10);
      // The same exchanged token each time.
      expect(new Set(operations.map((r) => r.token)).size).toBe(1);
    }
    // The audit: exchanged for the first request, from the cache after.
    const events = gw.audit.events.slice(-10);
    expect(events[0]!.subgraphs).toHaveLength(4);
    for (const call of events[0]!.subgraphs) expect(call).toMatchObject({ tokenSource: 'exchange', fromCache: false });
    for (const event of events.slice(1)) {
      expect(event.subgraphs).toHaveLength(4);
      for (const call of event.subgraphs) expect(call).toMatchObject({ tokenSource: 'exchange', fromCache: true });
    }
  });

  it('30 concurrent requests with one fresh token: exactly one exchange per subgraph audience (shared in flight)', async () => {
    const token = await rig.personToken();
    const responses = await Promise.all(Array.from({ length: 30 }, () => graphql(gw.graphqlUrl, FOUR, { token })));
    for (const { status, body } of responses) {
      expect(status).toBe(200);
      expectData(body, DEMO_USERS.ada.oid);
    }
    expect(exchangesByAudience()).toEqual(ONE_EXCHANGE_EACH);
    expectSubgraphTokens([token], [DEMO_USERS.ada.oid]);
    for (const name of ['customers', 'orders', 'knowledge', 'whoami'] as const) {
      expect(rig.subgraphs[name].received.operations()).toHaveLength(30);
    }
  });

  it('two users: separate exchanges, and each subgraph call carries the right person', async () => {
    const ada = await rig.personToken('ada');
    const alan = await rig.personToken('alan');
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? graphql(gw.graphqlUrl, FOUR, { token: ada }) : graphql(gw.graphqlUrl, FOUR, { token: alan }))),
    );
    responses.forEach(({ body }, i) => expectData(body, i % 2 === 0 ? DEMO_USERS.ada.oid : DEMO_USERS.alan.oid));
    expect(exchangesByAudience()).toEqual({ 'api://customers': 2, 'api://orders': 2, 'api://knowledge': 2, 'api://whoami': 2 });
    // Each exchange was for the token it was asked for: Ada's token never produced Alan's and back.
    const assertions = rig.sts.grants(OBO).map((r) => r.form['assertion']);
    expect(assertions.filter((a) => a === ada)).toHaveLength(4);
    expect(assertions.filter((a) => a === alan)).toHaveLength(4);
    expectSubgraphTokens([ada, alan], [DEMO_USERS.ada.oid, DEMO_USERS.alan.oid]);
    for (const name of ['customers', 'orders', 'knowledge', 'whoami'] as const) {
      const operations = rig.subgraphs[name].received.operations();
      expect(operations.filter((r) => r.claims?.['oid'] === DEMO_USERS.ada.oid)).toHaveLength(5);
      expect(operations.filter((r) => r.claims?.['oid'] === DEMO_USERS.alan.oid)).toHaveLength(5);
    }
  });

  it('two callers sending the same query at the same moment each get their own subgraph response (no upstream de-duplication)', async () => {
    const ada = await rig.personToken('ada');
    const alan = await rig.personToken('alan');
    const query = '{ whoami { oid audience } }';
    // Warm the cache so that both requests reach the subgraph in the same tick.
    await Promise.all([graphql(gw.graphqlUrl, query, { token: ada }), graphql(gw.graphqlUrl, query, { token: alan })]);
    rig.clearReceived();
    for (let round = 0; round < 5; round++) {
      const [forAda, forAlan] = await Promise.all([graphql(gw.graphqlUrl, query, { token: ada }), graphql(gw.graphqlUrl, query, { token: alan })]);
      expect(forAda.body).toEqual({ data: { whoami: { oid: DEMO_USERS.ada.oid, audience: WHOAMI_APP.clientId } } });
      expect(forAlan.body).toEqual({ data: { whoami: { oid: DEMO_USERS.alan.oid, audience: WHOAMI_APP.clientId } } });
    }
    const received = rig.subgraphs.whoami.received.operations();
    expect(received).toHaveLength(10);
    expect(received.filter((r) => r.claims?.['oid'] === DEMO_USERS.ada.oid)).toHaveLength(5);
    expect(rig.sts.requests).toHaveLength(0);
  });

  it('serves the exchange counters per subgraph at GET /metrics, without caller data', async () => {
    const token = await rig.personToken('alan');
    for (let i = 0; i < 3; i++) await graphql(gw.graphqlUrl, FOUR, { token });
    const response = await fetch(`${gw.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    const value = (name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1]);
    for (const subgraph of ['customers', 'orders', 'knowledge', 'whoami']) {
      // Reading the SDL: one client-credentials exchange per subgraph at start.
      expect(value('meshgate_token_exchanges_total', `subgraph="${subgraph}",grant="client-credentials"`)).toBe(1);
      expect(value('meshgate_token_exchanges_total', `subgraph="${subgraph}",grant="entra-obo"`)).toBeGreaterThanOrEqual(1);
      expect(value('meshgate_token_cache_hits_total', `subgraph="${subgraph}"`)).toBeGreaterThanOrEqual(2);
      expect(value('meshgate_token_cache_misses_total', `subgraph="${subgraph}"`)).toBeGreaterThanOrEqual(2);
    }
    expect(text).toContain('# TYPE meshgate_token_exchange_failures_total counter');
    for (const secret of [token, DEMO_USERS.alan.oid, DEMO_USERS.ada.oid, gatewayApp.clientSecret, 'tid']) expect(text).not.toContain(secret);
    expect((await fetch(`${gw.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('expiry and recovery (injected clock)', () => {
  let gw: TestGateway;
  const clock: Clock = {
    offsetMs: 0,
    now: () => Date.now() + clock.offsetMs,
  };
  beforeAll(async () => {
    gw = await rig.startGateway(gatewayConfig(rig, secretExchange(rig.sts.tokenEndpoint), ['customers', 'orders', 'knowledge', 'whoami']), { now: clock.now });
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(() => {
    rig.clearReceived();
    clock.offsetMs = 0;
  });

  it('reuses a token until expires_in minus 60 s, then exchanges again', async () => {
    const token = await rig.personToken();
    expectData((await graphql(gw.graphqlUrl, FOUR, { token })).body, DEMO_USERS.ada.oid);
    clock.offsetMs = 3_539_000; // 1 s before the 3600 s token's renewal point
    expectData((await graphql(gw.graphqlUrl, FOUR, { token })).body, DEMO_USERS.ada.oid);
    expect(exchangesByAudience()).toEqual(ONE_EXCHANGE_EACH);
    clock.offsetMs = 3_541_000;
    expectData((await graphql(gw.graphqlUrl, FOUR, { token })).body, DEMO_USERS.ada.oid);
    expect(exchangesByAudience()).toEqual({ 'api://customers': 2, 'api://orders': 2, 'api://knowledge': 2, 'api://whoami': 2 });
  });

  it('a short expires_in (90 s) is reused for half its life only', async () => {
    rig.sts.answer = (request) => (request.form['grant_type'] === OBO ? { forward: true, rewrite: (body) => ({ ...body, expires_in: 90 }) } : { forward: true });
    const token = await rig.personToken();
    await graphql(gw.graphqlUrl, FOUR, { token });
    clock.offsetMs = 44_000;
    await graphql(gw.graphqlUrl, FOUR, { token });
    expect(exchangesByAudience()).toEqual(ONE_EXCHANGE_EACH);
    clock.offsetMs = 46_000;
    expectData((await graphql(gw.graphqlUrl, FOUR, { token })).body, DEMO_USERS.ada.oid);
    expect(exchangesByAudience()).toEqual({ 'api://customers': 2, 'api://orders': 2, 'api://knowledge': 2, 'api://whoami': 2 });
  });

  it('never reuses an exchanged token past the caller token\'s own exp', async () => {
    // The caller's token lives 300 s; the exchanged ones 3600 s. At +330 s the gateway still
    // accepts the caller's token (60 s clock skew) but must not serve the cached exchange.
    const token = await rig.personToken('alan', { lifetimeSeconds: 300 });
    await graphql(gw.graphqlUrl, FOUR, { token });
    clock.offsetMs = 290_000;
    await graphql(gw.graphqlUrl, FOUR, { token });
    expect(exchangesByAudience()).toEqual(ONE_EXCHANGE_EACH);
    clock.offsetMs = 330_000;
    expectData((await graphql(gw.graphqlUrl, FOUR, { token })).body, DEMO_USERS.alan.oid);
    expect(exchangesByAudience()).toEqual({ 'api://customers': 2, 'api://orders': 2, 'api://knowledge': 2, 'api://whoami': 2 });
  });

  it('STS down, then back: failures are remembered for the short negative window only', async () => {
    const token = await rig.personToken();
    rig.sts.answer = () => ({ status: 503, body: { error: 'temporarily_unavailable', error_description: 'maintenance' } });
    const down = await graphql(gw.graphqlUrl, '{ orders(first: 1) { number } }', { token });
    expect(down.body).toEqual({
      data: { orders: null },
      errors: [
        {
          message: 'Token exchange for subgraph "orders" failed: the token service refused (temporarily_unavailable)',
          path: ['orders'],
          extensions: { code: 'TOKEN_EXCHANGE_FAILED', subgraph: 'orders', stsError: 'temporarily_unavailable' },
        },
      ],
    });
    expect(rig.sts.requests).toHaveLength(1);
    rig.sts.answer = () => ({ forward: true });
    // Within the 2 s window the STS is not asked again...
    const stillRemembered = await graphql(gw.graphqlUrl, '{ orders(first: 1) { number } }', { token });
    expect(stillRemembered.body.data).toEqual({ orders: null });
    expect(rig.sts.requests).toHaveLength(1);
    // ...after it, the next request succeeds.
    clock.offsetMs = 2_100;
    const recovered = await graphql(gw.graphqlUrl, '{ orders(first: 1) { number } }', { token });
    expect(recovered.body).toEqual({ data: { orders: [{ number: expect.stringMatching(/^SO-\d+$/) }] } });
    expect(rig.sts.requests).toHaveLength(2);
  });
});
