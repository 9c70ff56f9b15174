import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, SignJWT, decodeJwt } from 'jose';
import type { DevIdentityProvider } from '../../src/idp/index.js';
import { DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS } from '../../src/idp/demo-directory.js';
import { listenSubgraph } from '../../subgraphs/shared/listen.js';
import { readSubgraphEnv } from '../../subgraphs/shared/run-from-env.js';
import { CREATE, post, startIdp, startSubgraph, type RunningSubgraph, type SubgraphName } from './support.js';

let idp: DevIdentityProvider;
const running = {} as Record<SubgraphName, RunningSubgraph>;

beforeAll(async () => {
  idp = await startIdp();
  for (const name of ['customers', 'orders', 'knowledge'] as const) running[name] = await startSubgraph(idp, name);
});
afterAll(async () => {
  for (const subgraph of Object.values(running)) await subgraph.close();
  await idp.close();
});

function expectUnauthenticated(response: Awaited<ReturnType<RunningSubgraph['query']>>, challenge: string, message: RegExp): void {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe(challenge);
  expect(response.body).toEqual({ errors: [{ message: expect.stringMatching(message), extensions: { code: 'UNAUTHENTICATED' } }] });
}

describe.each(['customers', 'orders', 'knowledge'] as const)('%s subgraph', (name) => {
  it('answers { _sdl } with exactly its typeDefs.graphql', async () => {
    const file = readFileSync(new URL(`../../subgraphs/${name}/typeDefs.graphql`, import.meta.url), 'utf8');
    const response = await running[name].query('{ _sdl }');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { _sdl: file } });
    expect(running[name].subgraph.typeDefs).toBe(file);
  });

  it('refuses a request without a token with 401, before running anything', async () => {
    const before = running[name].callers.length;
    const response = await running[name].query('{ _sdl }', { token: null });
    expectUnauthenticated(response, 'Bearer', /access token .* required/);
    expect(running[name].callers.length).toBe(before);
  });

  it("refuses a token for another subgraph's audience", async () => {
    const other = name === 'orders' ? DEMO_APPS.customers : DEMO_APPS.orders;
    const token = await idp.mint({ audience: other.clientId });
    const response = await running[name].query('{ _sdl }', { token });
    expectUnauthenticated(response, 'Bearer error="invalid_token"', /audience/);
    expect(response.text).not.toContain(token);
  });
});

describe('token checks', () => {
  const orders = () => running.orders;

  it('refuses a token signed by another key under the provider kid', async () => {
    const genuine = decodeJwt(await orders().token());
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(genuine).setProtectedHeader({ alg: 'RS256', kid: idp.currentKid, typ: 'JWT' }).sign(privateKey);
    expectUnauthenticated(await orders().query('{ _sdl }', { token: forged }), 'Bearer error="invalid_token"', /signature/);
  });

  it('refuses a genuine token whose payload was altered', async () => {
    const [header, , signature] = (await orders().token({ scopes: ['Orders.Read'] })).split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(await orders().token()), scp: 'Orders.Read Orders.Write' })).toString('base64url');
    expectUnauthenticated(await orders().query('{ _sdl }', { token: `${header}.${payload}.${signature}` }), 'Bearer error="invalid_token"', /signature/);
  });

  it('refuses an expired token (beyond the 60 s clock tolerance)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await orders().token({ claims: { iat: now - 7200, nbf: now - 7200, exp: now - 120 } });
    expectUnauthenticated(await orders().query('{ _sdl }', { token }), 'Bearer error="invalid_token"', /expired/);
  });

  it('accepts a token that expired within the clock tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await orders().token({ claims: { iat: now - 3600, nbf: now - 3600, exp: now - 20 } });
    expect((await orders().query('{ _sdl }', { token })).status).toBe(200);
  });

  it('refuses a token from another issuer', async () => {
    const token = await orders().token({ claims: { iss: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0' } });
    expectUnauthenticated(await orders().query('{ _sdl }', { token }), 'Bearer error="invalid_token"', /issuer/);
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b']) {
      const response = await post(orders().url, { query: '{ _sdl }' }, { authorization });
      expectUnauthenticated(response, 'Bearer error="invalid_request"', /Bearer <access token>/);
    }
  });

  it('refuses garbage in the token position', async () => {
    expectUnauthenticated(await orders().query('{ _sdl }', { token: 'not.a.jwt' }), 'Bearer error="invalid_token"', /malformed/);
  });

  it('checks GET requests too', async () => {
    const url = `${orders().url}?query=${encodeURIComponent('{ _sdl }')}`;
    expect((await fetch(url)).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${await orders().token()}` } });
    expect(ok.status).toBe(200);
  });

  it("puts a person's caller in the context: oid, tid, client, scp", async () => {
    const token = await orders().token({ user: DEMO_USERS.alan.preferredUsername, scopes: ['Orders.Read'] });
    await orders().query('{ _sdl }', { token });
    expect(orders().callers.at(-1)).toEqual({
      oid: DEMO_USERS.alan.oid,
      tid: DEMO_TENANT_ID,
      clientId: decodeJwt(token)['azp'],
      isApp: false,
      scopes: new Set(['Orders.Read']),
    });
  });

  it("puts an app's caller in the context: roles as scopes", async () => {
    const token = await idp.mint({ kind: 'app', clientId: DEMO_APPS.gateway.clientId, audience: DEMO_APPS.orders.clientId });
    await orders().query('{ _sdl }', { token });
    expect(orders().callers.at(-1)).toMatchObject({ clientId: DEMO_APPS.gateway.clientId, isApp: true, scopes: new Set(['Orders.Read']) });
  });

  it('accepts v1.0 tokens (aud = api:// URI) when the v1 issuer is configured', async () => {
    const both = await startSubgraph(idp, 'orders', { issuer: [idp.issuer, idp.v1Issuer] });
    try {
      const token = await idp.mint({ version: '1.0', audience: DEMO_APPS.orders.appIdUri });
      expect(decodeJwt(token)['aud']).toBe('api://orders');
      expect((await both.query('{ _sdl }', { token })).status).toBe(200);
      const foreign = await idp.mint({ version: '1.0', audience: DEMO_APPS.knowledge.appIdUri });
      expect((await both.query('{ _sdl }', { token: foreign })).status).toBe(401);
    } finally {
      await both.close();
    }
  });

  it('answers 503, not 401, when the signing keys cannot be fetched', async () => {
    const subgraph = CREATE.orders({ auth: { issuer: idp.issuer, jwksUri: 'http://127.0.0.1:9/keys', audiences: [DEMO_APPS.orders.clientId] } });
    const listening = await listenSubgraph(subgraph);
    try {
      const response = await post(listening.url, { query: '{ _sdl }' }, { authorization: `Bearer ${await orders().token()}` });
      expect(response.status).toBe(503);
      expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await listening.close();
      subgraph.close();
    }
  });
});

describe('options', () => {
  const auth = { issuer: 'https://login.example/v2.0', jwksUri: 'https://login.example/keys', audiences: ['api://orders'] };

  it('refuses to build without auth (fail closed)', () => {
    expect(() => CREATE.orders({} as never)).toThrow('orders subgraph: options.auth is required');
  });

  it('names the bad auth option', () => {
    expect(() => CREATE.customers({ auth: { ...auth, jwksUri: 'keys.json' } })).toThrow(
      'customers subgraph: options.auth.jwksUri must be an absolute http(s) URL',
    );
    expect(() => CREATE.customers({ auth: { ...auth, audiences: [] } })).toThrow('auth.audiences must list at least one audience');
    expect(() => CREATE.customers({ auth: { ...auth, issuer: [] } })).toThrow('auth.issuer must be a non-empty string');
  });

  it('names a bad seed', () => {
    expect(() => CREATE.knowledge({ auth: false, seed: -1 })).toThrow('knowledge subgraph: options.seed must be an integer');
  });

  it('index.ts refuses to start without ISSUER and JWKS_URI', () => {
    const launcher = { name: 'orders', defaultPort: 4102, audiences: ['api://orders'] };
    expect(() => readSubgraphEnv(launcher, {})).toThrow('orders subgraph: set ISSUER and JWKS_URI');
    expect(() => readSubgraphEnv(launcher, { ISSUER: 'https://idp/v2.0' })).toThrow('orders subgraph: set JWKS_URI');
    expect(() => readSubgraphEnv(launcher, { ISSUER: 'x', JWKS_URI: 'https://idp/keys', PORT: 'abc' })).toThrow('PORT must be an integer');
    expect(readSubgraphEnv(launcher, { ISSUER: 'https://a/v2.0, https://b/', JWKS_URI: 'https://idp/keys' })).toEqual({
      host: '127.0.0.1',
      port: 4102,
      issuer: ['https://a/v2.0', 'https://b/'],
      jwksUri: 'https://idp/keys',
      audiences: ['api://orders'],
    });
  });
});

describe('listenSubgraph', () => {
  it('closes promptly although a client keeps its connection alive', async () => {
    const subgraph = CREATE.customers({ auth: false });
    const listening = await listenSubgraph(subgraph);
    const response = await fetch(listening.url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'keep-alive' }, body: '{"query":"{ _sdl }"}' });
    expect(response.status).toBe(200);
    await response.text();
    await listening.close();
    await listening.close(); // idempotent
    subgraph.close();
    await expect(fetch(listening.url)).rejects.toThrow();
  });
});
