import { createHash } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_AGENT_ROLES,
  DEMO_APPS,
  DEMO_SCOPES,
  DEMO_TENANT_ID,
  DEMO_USERS,
  DevIdentityProviderOptionError,
  servicePrincipalObjectId,
  startDevIdentityProvider,
} from '../../src/idp/index.js';
import type { DevIdentityProvider } from '../../src/idp/index.js';
import { expectEntraError, verifyWithJwks } from './support.js';

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
const NOW_SECONDS = NOW / 1000;

describe('minted tokens', () => {
  let idp: DevIdentityProvider;
  beforeAll(async () => {
    idp = await startDevIdentityProvider({ now: () => NOW });
  });
  afterAll(async () => {
    await idp.close();
  });

  const at = { currentDate: new Date(NOW) };
  const opaque = expect.stringMatching(/^[A-Za-z0-9_-]+$/);
  const pairwise = (oid: string, clientId: string) => createHash('sha256').update(`${oid}:${clientId}`).digest('base64url');

  it('v2 person token (defaults): Ada via GraphiQL for the gateway, every scope the gateway exposes', async () => {
    const claims = await verifyWithJwks(idp, await idp.mint(), { ...at, audience: DEMO_APPS.gateway.clientId });
    expect(claims).toEqual({
      aud: DEMO_APPS.gateway.clientId,
      iss: idp.issuer,
      iat: NOW_SECONDS,
      nbf: NOW_SECONDS,
      exp: NOW_SECONDS + 3600,
      aio: opaque,
      azp: DEMO_APPS.graphiql.clientId,
      azpacr: '0',
      name: DEMO_USERS.ada.name,
      oid: DEMO_USERS.ada.oid,
      preferred_username: DEMO_USERS.ada.preferredUsername,
      rh: expect.stringMatching(/^0\.[A-Za-z0-9_-]+\.$/),
      scp: DEMO_SCOPES.join(' '),
      sub: pairwise(DEMO_USERS.ada.oid, DEMO_APPS.graphiql.clientId),
      tid: DEMO_TENANT_ID,
      uti: opaque,
      ver: '2.0',
    });
  });

  it('v2 app token (defaults): the agent with its roles on the gateway', async () => {
    const claims = await verifyWithJwks(idp, await idp.mint({ kind: 'app' }), { ...at, audience: DEMO_APPS.gateway.clientId });
    const agent = servicePrincipalObjectId(DEMO_TENANT_ID, DEMO_APPS.agent.clientId);
    expect(claims).toEqual({
      aud: DEMO_APPS.gateway.clientId,
      iss: idp.issuer,
      iat: NOW_SECONDS,
      nbf: NOW_SECONDS,
      exp: NOW_SECONDS + 3600,
      aio: opaque,
      azp: DEMO_APPS.agent.clientId,
      azpacr: '1',
      idtyp: 'app',
      oid: agent,
      rh: expect.any(String),
      roles: [...DEMO_AGENT_ROLES],
      sub: agent,
      tid: DEMO_TENANT_ID,
      uti: opaque,
      ver: '2.0',
    });
    expect(agent).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(servicePrincipalObjectId(DEMO_TENANT_ID, DEMO_APPS.agent.clientId)).toBe(agent);
  });

  it('v1 person token: v1 issuer, Application ID URI audience, appid and upn', async () => {
    const token = await idp.mint({ version: '1.0', user: 'alan@meshgate.dev', scopes: ['Orders.Read'], audience: 'api://orders' });
    const claims = await verifyWithJwks(idp, token, {
      ...at,
      audience: 'api://orders',
      issuer: idp.v1Issuer,
      jwksUri: `${idp.url}/${DEMO_TENANT_ID}/discovery/keys`,
    });
    expect(claims).toEqual({
      aud: 'api://orders',
      iss: idp.v1Issuer,
      iat: NOW_SECONDS,
      nbf: NOW_SECONDS,
      exp: NOW_SECONDS + 3600,
      aio: opaque,
      appid: DEMO_APPS.graphiql.clientId,
      appidacr: '0',
      name: DEMO_USERS.alan.name,
      oid: DEMO_USERS.alan.oid,
      unique_name: DEMO_USERS.alan.preferredUsername,
      upn: DEMO_USERS.alan.preferredUsername,
      rh: expect.any(String),
      scp: 'Orders.Read',
      sub: pairwise(DEMO_USERS.alan.oid, DEMO_APPS.graphiql.clientId),
      tid: DEMO_TENANT_ID,
      uti: opaque,
      ver: '1.0',
    });
  });

  it('v1 app token: idp is the issuer, as in Entra v1 app-only tokens', async () => {
    const token = await idp.mint({ kind: 'app', version: '1.0', clientId: DEMO_APPS.gateway.clientId, audience: DEMO_APPS.knowledge.clientId });
    const claims = await verifyWithJwks(idp, token, { ...at, audience: 'api://knowledge', issuer: idp.v1Issuer });
    const gateway = servicePrincipalObjectId(DEMO_TENANT_ID, DEMO_APPS.gateway.clientId);
    expect(claims).toEqual({
      aud: 'api://knowledge',
      iss: idp.v1Issuer,
      iat: NOW_SECONDS,
      nbf: NOW_SECONDS,
      exp: NOW_SECONDS + 3600,
      aio: opaque,
      appid: DEMO_APPS.gateway.clientId,
      appidacr: '1',
      idp: idp.v1Issuer,
      idtyp: 'app',
      oid: gateway,
      rh: expect.any(String),
      roles: ['Knowledge.Read'],
      sub: gateway,
      tid: DEMO_TENANT_ID,
      uti: opaque,
      ver: '1.0',
    });
  });

  it('takes explicit scopes, roles, lifetime, foreign audiences and overriding claims', async () => {
    const token = await idp.mint({
      user: DEMO_USERS.alan.oid,
      audience: 'api://somewhere-else',
      scopes: ['A', 'B'],
      roles: ['Admin'],
      lifetimeSeconds: 60,
      claims: { tid: undefined, extra: 'x', ver: '9.9' },
    });
    const claims = await verifyWithJwks(idp, token, { ...at, audience: 'api://somewhere-else' });
    expect(claims).toMatchObject({ aud: 'api://somewhere-else', scp: 'A B', roles: ['Admin'], exp: NOW_SECONDS + 60, extra: 'x', ver: '9.9' });
    expect(claims).not.toHaveProperty('tid');
  });

  it('signs with PS256 under the same key when asked (a token a resource must refuse)', async () => {
    const token = await idp.mint({ algorithm: 'PS256' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'PS256', typ: 'JWT', kid: idp.currentKid });
    const published = ((await (await fetch(idp.jwksUri)).json()) as { keys: JWK[] }).keys[0]!;
    const { payload } = await jwtVerify(token, await importJWK({ kty: 'RSA', n: published.n!, e: published.e! }, 'PS256'), { ...at, algorithms: ['PS256'] });
    expect(payload).toMatchObject({ iss: idp.issuer, aud: DEMO_APPS.gateway.clientId });
    await expect(verifyWithJwks(idp, token, { ...at, audience: DEMO_APPS.gateway.clientId })).rejects.toThrow();
  });

  it('refuses bad mint options with errors naming the option', async () => {
    await expect(idp.mint({ user: 'nobody@meshgate.dev' })).rejects.toThrow(
      new DevIdentityProviderOptionError('user', "no user with oid or preferredUsername 'nobody@meshgate.dev'"),
    );
    await expect(idp.mint({ kind: 'app', scopes: ['A'] })).rejects.toThrow("scopes: app-only tokens carry roles, not scp: use 'roles'");
    await expect(idp.mint({ kind: 'robot' as 'app' })).rejects.toThrow("kind: must be one of 'user', 'app'");
    await expect(idp.mint({ scopes: ['A B'] })).rejects.toThrow('scopes: must be an array of strings without spaces');
    await expect(idp.mint({ lifetimeSeconds: 0 })).rejects.toThrow('lifetimeSeconds: must be a whole number of seconds from 1 to 86400');
    await expect(idp.mint({ audiance: 'x' } as never)).rejects.toThrow('audiance: unknown option');
    await expect(idp.mint({ algorithm: 'HS256' as 'PS256' })).rejects.toThrow("algorithm: must be one of 'RS256', 'PS256'");
  });

  describe('POST /{tenant}/_dev/token', () => {
    const devToken = (body: unknown, contentType = 'application/json') =>
      fetch(`${idp.url}/${DEMO_TENANT_ID}/_dev/token`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }).then(async (response) => ({ status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> }));

    it('mints like mint()', async () => {
      const response = await devToken({ kind: 'user', user: 'alan@meshgate.dev', scopes: ['Orders.Read'], lifetimeSeconds: 120 });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 120 });
      const claims = await verifyWithJwks(idp, response.body.access_token as string, { ...at, audience: DEMO_APPS.gateway.clientId });
      expect(claims).toMatchObject({ oid: DEMO_USERS.alan.oid, scp: 'Orders.Read', exp: NOW_SECONDS + 120 });
    });

    it('answers bad input 400 with a clear message', async () => {
      expectEntraError(await devToken({ user: 'nobody' }), 400, 'invalid_request', 9002313, "user: no user with oid or preferredUsername 'nobody'.");
      expectEntraError(await devToken({ claims: { exp: 0 } }), 400, 'invalid_request', 9002313, "Unknown field(s) 'claims'");
      expectEntraError(await devToken({ algorithm: 'PS256' }), 400, 'invalid_request', 9002313, "Unknown field(s) 'algorithm'");
      expectEntraError(await devToken('[1]'), 400, 'invalid_request', 9002313, 'The body must be a JSON object.');
      expectEntraError(await devToken('{'), 400, 'invalid_request', 9002313, 'The body is not valid JSON.');
      expectEntraError(await devToken('kind=user', 'application/x-www-form-urlencoded'), 400, 'invalid_request', 9002313, "accepts only 'application/json'");
    });
  });
});
