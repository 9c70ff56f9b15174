import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_AGENT_ROLES, DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS } from '../../src/idp/demo-directory.js';
import { MFA_CLAIMS_CHALLENGE } from '../../src/idp/conditional-access.js';
import { servicePrincipalObjectId } from '../../src/idp/identifiers.js';
import { gatewayConfig, graphql, OBO, secretExchange, startRig, WHOAMI_APP, type GraphQLResponse, type Rig, type TestGateway } from './support.js';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(() => {
  rig.clearReceived();
  rig.sts.answer = () => ({ forward: true });
});

/** customers (customer, its name), orders (lifetimeValue merged onto Customer, and a root field), knowledge. */
const MIXED = '{ customer(id: "C-0001") { id name lifetimeValue } orders(first: 1) { number } documents(first: 1) { title } }';
const CANARY = 'CANARY-9d1f-error-description-must-not-leak';
const CLAIMS = '{"access_token":{"acrs":{"essential":true,"value":"c2"}}}';

/** Errors sorted by path, for comparison regardless of the order subgraph calls finished in. */
function byPath(body: GraphQLResponse['body']) {
  return [...(body.errors ?? [])].sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)));
}

function expectOrdersFailed(response: GraphQLResponse, message: string, stsError?: string): void {
  expect(response.status).toBe(200);
  expect(response.body.data).toEqual({
    customer: { id: 'C-0001', name: expect.any(String), lifetimeValue: null },
    orders: null,
    documents: [{ title: expect.any(String) }],
  });
  const extensions = { code: 'TOKEN_EXCHANGE_FAILED', subgraph: 'orders', ...(stsError ? { stsError } : {}) };
  expect(byPath(response.body)).toEqual([
    { message, path: ['customer', 'lifetimeValue'], extensions },
    { message, path: ['orders'], extensions },
  ]);
}

describe('a failed exchange for one subgraph: 200, its fields null, the rest kept', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // Only orders goes through the failing STS; the others exchange at the dev identity provider.
    gw = await rig.startGateway(
      gatewayConfig(rig, secretExchange(rig.idp.tokenEndpoint), ['customers', 'orders', 'knowledge'], {
        orders: { exchange: { tokenEndpoint: rig.sts.tokenEndpoint } },
      }),
    );
  });
  afterAll(async () => {
    await gw.close();
  });

  it('invalid_grant: the OAuth code is passed on, the description never (not to the caller, the audit or the log)', async () => {
    rig.sts.answer = () => ({ status: 400, body: { error: 'invalid_grant', error_description: `AADSTS50013: ${CANARY}`, error_codes: [50013] } });
    const token = await rig.personToken();
    const response = await graphql(gw.graphqlUrl, MIXED, { token });
    expectOrdersFailed(response, 'Token exchange for subgraph "orders" failed: the token service refused (invalid_grant)', 'invalid_grant');
    expect(rig.sts.grants(OBO)).toHaveLength(1);
    expect(rig.subgraphs.orders.received.operations()).toHaveLength(0);
    expect(response.text).not.toContain('CANARY');
    const event = gw.audit.events.at(-1)!;
    expect(event).toMatchObject({ outcome: 'partial', errorCodes: ['TOKEN_EXCHANGE_FAILED'] });
    expect(event.subgraphs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subgraph: 'orders', audience: 'api://orders', tokenSource: 'failed' }),
        expect.objectContaining({ subgraph: 'customers', audience: 'api://customers', tokenSource: 'exchange' }),
      ]),
    );
    const logs = gw.logs.join('\n');
    expect(JSON.stringify(gw.audit.events)).not.toContain('CANARY');
    expect(logs).not.toContain('CANARY');
    expect(logs).not.toContain(token);
    // What the log keeps: the subgraph, the status, the OAuth code and the AADSTS code.
    const line = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'token exchange failed');
    expect(line).toMatchObject({ level: 40, subgraph: 'orders', reason: 'refused', status: 400, error: 'invalid_grant', stsCode: 'AADSTS50013' });
  });

  it('a 500 with an HTML body: no code to pass on', async () => {
    rig.sts.answer = () => ({ status: 500, body: `<html>${CANARY}</html>` });
    const response = await graphql(gw.graphqlUrl, MIXED, { token: await rig.personToken() });
    expectOrdersFailed(response, 'Token exchange for subgraph "orders" failed: the token service answered 500');
    expect(response.text).not.toContain('CANARY');
    expect(gw.logs.join('\n')).not.toContain('CANARY');
  });

  it('a success answer that is not a usable token response (RFC 8693 / RFC 6749 checks)', async () => {
    for (const rewrite of [
      (body: Record<string, unknown>) => ({ ...body, token_type: 'N_A' }),
      (body: Record<string, unknown>) => ({ ...body, expires_in: undefined }),
      (body: Record<string, unknown>) => ({ ...body, access_token: 'two words' }),
    ]) {
      rig.sts.answer = () => ({ forward: true, rewrite });
      expectOrdersFailed(await graphql(gw.graphqlUrl, MIXED, { token: await rig.personToken() }), 'Token exchange for subgraph "orders" failed: the token service gave no usable token');
    }
  });

  it('interaction_required without claims is an ordinary refusal', async () => {
    rig.sts.answer = () => ({ status: 400, body: { error: 'interaction_required', error_description: CANARY } });
    const response = await graphql(gw.graphqlUrl, MIXED, { token: await rig.personToken() });
    expectOrdersFailed(response, 'Token exchange for subgraph "orders" failed: the token service refused (interaction_required)', 'interaction_required');
  });

  it.each(['interaction_required', 'invalid_grant'])('%s with claims: 401 with the claims challenge, INSUFFICIENT_CLAIMS, no data', async (error) => {
    rig.sts.answer = () => ({ status: 400, body: { error, error_description: `AADSTS50079: ${CANARY}`, claims: CLAIMS, suberror: 'basic_action' } });
    const token = await rig.personToken('alan');
    const response = await graphql(gw.graphqlUrl, MIXED, { token });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="", error="insufficient_claims", claims="${Buffer.from(CLAIMS).toString('base64')}"`);
    expect(response.body).toEqual({
      errors: [
        {
          message: 'The identity provider requires more claims: acquire a new token with the claims challenge and retry.',
          extensions: { code: 'INSUFFICIENT_CLAIMS' },
        },
      ],
    });
    expect(response.text).not.toContain('CANARY');
    expect(JSON.stringify(gw.audit.events)).not.toContain('CANARY');
    expect(gw.logs.join('\n')).not.toContain('CANARY');
  });
});

describe('timeouts.exchange bounds every STS call', () => {
  it('an STS slower than the timeout: TOKEN_EXCHANGE_FAILED, and the gateway keeps serving', async () => {
    const gw = await rig.startGateway(
      gatewayConfig(rig, secretExchange(rig.idp.tokenEndpoint), ['customers', 'orders', 'knowledge'], { orders: { exchange: { tokenEndpoint: rig.sts.tokenEndpoint } } }, {
        timeouts: { exchange: '1s' },
      }),
    );
    rig.sts.answer = (request) => (request.form['grant_type'] === OBO ? { forward: true, delayMs: 20_000 } : { forward: true });
    const response = await graphql(gw.graphqlUrl, MIXED, { token: await rig.personToken() });
    expectOrdersFailed(response, 'Token exchange for subgraph "orders" failed: the token service timed out');
    const line = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'token exchange failed');
    expect(line).toMatchObject({ subgraph: 'orders', reason: 'timeout', detail: 'TimeoutError' });
    const next = await graphql(gw.graphqlUrl, '{ customers(first: 1) { id } }', { token: await rig.personToken() });
    expect(next.body).toEqual({ data: { customers: [{ id: 'C-0001' }] } });
    await gw.close();
  });
});

describe('conditional access at the dev identity provider, end to end', () => {
  it('a session that needs MFA gets 401 with the provider\'s claims challenge', async () => {
    const gw = await rig.startGateway(gatewayConfig(rig, secretExchange(rig.idp.tokenEndpoint)));
    const token = await rig.personToken('ada', { claims: { mg_require_mfa: true } });
    const response = await graphql(gw.graphqlUrl, '{ customers(first: 1) { id } }', { token });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="", error="insufficient_claims", claims="${Buffer.from(MFA_CLAIMS_CHALLENGE).toString('base64')}"`);
    expect(response.body).toEqual({
      errors: [{ message: 'The identity provider requires more claims: acquire a new token with the claims challenge and retry.', extensions: { code: 'INSUFFICIENT_CLAIMS' } }],
    });
    expect(rig.subgraphs.customers.received.operations()).toHaveLength(0);

    // Also when part of the operation was denied (the denied field is answered after fetching).
    const partial = await rig.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername, scopes: ['Customers.Read'], claims: { mg_require_mfa: true } });
    const denied = await graphql(gw.graphqlUrl, '{ customers(first: 1) { id email } }', { token: partial });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe(`Bearer realm="", error="insufficient_claims", claims="${Buffer.from(MFA_CLAIMS_CHALLENGE).toString('base64')}"`);
    expect(denied.body).toEqual(response.body);
    await gw.close();
  });
});

describe('app callers and the token modes', () => {
  const agentToken = () => rig.idp.mint({ kind: 'app', clientId: DEMO_APPS.agent.clientId, roles: [...DEMO_AGENT_ROLES] });
  const gatewayServicePrincipal = servicePrincipalObjectId(DEMO_TENANT_ID, DEMO_APPS.gateway.clientId);

  it('appCallers: client-credentials (default): an agent\'s subgraph calls carry the gateway\'s own token, and the audit says so', async () => {
    const gw = await rig.startGateway(gatewayConfig(rig, secretExchange(rig.sts.tokenEndpoint), ['customers', 'knowledge', 'whoami']));
    rig.clearReceived();
    const token = await agentToken();
    const response = await graphql(gw.graphqlUrl, '{ customers(first: 1) { id } documents(first: 1) { title } whoami { oid audience } }', { token });
    expect(response.body).toEqual({
      data: { customers: [{ id: 'C-0001' }], documents: [{ title: expect.any(String) }], whoami: { oid: gatewayServicePrincipal, audience: WHOAMI_APP.clientId } },
    });
    // The client-credentials tokens fetched to read the SDLs are reused: no STS call, no OBO ever.
    expect(rig.sts.requests).toHaveLength(0);
    const received = rig.subgraphs.customers.received.operations()[0]!;
    expect(received.token).not.toBe(token);
    expect(received.claims).toMatchObject({ aud: DEMO_APPS.customers.clientId, azp: DEMO_APPS.gateway.clientId, idtyp: 'app', oid: gatewayServicePrincipal, roles: ['Customers.Read'] });
    // The audit names the gateway's own token as the source (served from the cache).
    expect(gw.audit.events.at(-1)!.subgraphs).toEqual(
      ['customers', 'knowledge', 'whoami'].map((subgraph) => expect.objectContaining({ subgraph, tokenSource: 'client-credentials', fromCache: true })),
    );
    await gw.close();
  });

  it('appCallers: deny: an agent\'s exchange-mode subgraphs answer null with TOKEN_EXCHANGE_FAILED; people are unaffected', async () => {
    const gw = await rig.startGateway(gatewayConfig(rig, secretExchange(rig.sts.tokenEndpoint, { appCallers: 'deny' }), ['customers', 'knowledge']));
    rig.clearReceived();
    const response = await graphql(gw.graphqlUrl, '{ customers(first: 1) { id } documents(first: 1) { title } }', { token: await agentToken() });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ customers: null, documents: null });
    expect(byPath(response.body)).toEqual([
      { message: 'Token exchange for subgraph "customers" failed: app callers are not allowed for this subgraph', path: ['customers'], extensions: { code: 'TOKEN_EXCHANGE_FAILED', subgraph: 'customers' } },
      { message: 'Token exchange for subgraph "knowledge" failed: app callers are not allowed for this subgraph', path: ['documents'], extensions: { code: 'TOKEN_EXCHANGE_FAILED', subgraph: 'knowledge' } },
    ]);
    expect(rig.sts.requests).toHaveLength(0);
    expect(rig.subgraphs.customers.received.operations()).toHaveLength(0);
    const person = await graphql(gw.graphqlUrl, '{ customers(first: 1) { id } }', { token: await rig.personToken() });
    expect(person.body).toEqual({ data: { customers: [{ id: 'C-0001' }] } });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain('meshgate_token_exchange_failures_total{subgraph="customers",reason="denied"} 1');
    await gw.close();
  });

  it('anonymous callers (auth.anonymous): the gateway\'s own token by default, refused with appCallers: deny', async () => {
    const open = await rig.startGateway(gatewayConfig(rig, secretExchange(rig.sts.tokenEndpoint), ['whoami'], {}, { auth: { issuers: [{ issuer: rig.idp.issuer }], audiences: [DEMO_APPS.gateway.clientId], anonymous: true } }));
    const served = await graphql(open.graphqlUrl, '{ whoami { oid audience } }');
    expect(served.body).toEqual({ data: { whoami: { oid: gatewayServicePrincipal, audience: WHOAMI_APP.clientId } } });
    await open.close();
    const closed = await rig.startGateway(
      gatewayConfig(rig, secretExchange(rig.sts.tokenEndpoint, { appCallers: 'deny' }), ['whoami'], {}, { auth: { issuers: [{ issuer: rig.idp.issuer }], audiences: [DEMO_APPS.gateway.clientId], anonymous: true } }),
    );
    const refused = await graphql(closed.graphqlUrl, '{ whoami { oid audience } }');
    expect(refused.status).toBe(200);
    // whoami is non-null, so its null reaches the root.
    expect(refused.body).toEqual({
      data: null,
      errors: [
        {
          message: 'Token exchange for subgraph "whoami" failed: anonymous callers are not allowed for this subgraph',
          path: ['whoami'],
          extensions: { code: 'TOKEN_EXCHANGE_FAILED', subgraph: 'whoami' },
        },
      ],
    });
    await closed.close();
  });

  it('token: forward sends the caller\'s own token; token: none sends no Authorization header; neither calls the STS', async () => {
    const gw = await rig.startGateway(
      gatewayConfig(rig, secretExchange(rig.sts.tokenEndpoint), ['customers', 'forwarded', 'anonymous'], { forwarded: { token: 'forward' }, anonymous: { token: 'none' } }),
    );
    // At start: client credentials for customers and for reading forwarded's SDL; none for anonymous.
    expect(rig.sts.grants('client_credentials').map((r) => r.form['scope'])).toEqual(expect.arrayContaining(['api://customers/.default', 'api://whoami/.default']));
    expect(rig.subgraphs.anonymous.received.requests.map((r) => r.token)).toEqual([undefined]);
    rig.clearReceived();
    const token = await rig.personToken('alan');
    const response = await graphql(gw.graphqlUrl, '{ customers(first: 1) { id } forwarded { oid audience } anonymous { oid audience } }', { token });
    expect(response.body).toEqual({
      data: {
        customers: [{ id: 'C-0001' }],
        forwarded: { oid: DEMO_USERS.alan.oid, audience: DEMO_APPS.gateway.clientId },
        anonymous: { oid: null, audience: null },
      },
    });
    expect(rig.subgraphs.forwarded.received.operations().map((r) => r.token)).toEqual([token]);
    expect(rig.subgraphs.anonymous.received.operations().map((r) => r.token)).toEqual([undefined]);
    expect(rig.sts.grants(OBO).map((r) => r.form['scope'])).toEqual(['api://customers/.default']);
    expect(gw.audit.events.at(-1)!.subgraphs.map((s) => [s.subgraph, s.tokenSource]).sort()).toEqual([
      ['anonymous', 'none'],
      ['customers', 'exchange'],
      ['forwarded', 'forward'],
    ]);
    await gw.close();
  });
});
