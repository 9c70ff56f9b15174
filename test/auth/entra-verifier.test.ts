import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../src/auth/authentication-error.js';
import { createEntraVerifier, type EntraVerifierOptions } from '../../src/auth/entra-verifier.js';
import type { KeysRefreshFailure } from '../../src/auth/issuer-keys.js';
import { SigningKeysUnavailableError } from '../../src/auth/signing-keys-unavailable-error.js';
import { parseConfig } from '../../src/config/load-config.js';
import { DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS, servicePrincipalObjectId, startDevIdentityProvider, type DevIdentityProvider } from '../../src/idp/index.js';
import { manualScheduler } from './support.js';

const PARTNER_TENANT = '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f';
const AUDIENCES = [DEMO_APPS.gateway.appIdUri!, DEMO_APPS.gateway.clientId];

let idp: DevIdentityProvider;
beforeAll(async () => {
  idp = await startDevIdentityProvider();
});
afterAll(async () => {
  await idp.close();
});

function verifier(options: Partial<EntraVerifierOptions> = {}) {
  return createEntraVerifier({ issuers: [{ issuer: idp.issuer }], audiences: AUDIENCES, every: manualScheduler().every, ...options });
}

/** What `verify` threw: the reason, the RFC 6750 code and the status. */
async function refusal(promise: Promise<unknown>): Promise<{ reason: string; bearerError: string | undefined; status: number }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AuthenticationError)) throw new Error(`expected an AuthenticationError, got ${String(error)}`);
  return { reason: error.message, bearerError: error.bearerError, status: error.status };
}

describe('createEntraVerifier: the principal', () => {
  it('of a person (v2): tid, oid, sub, azp, scp, not an app; the token is kept but not enumerable', async () => {
    const v = verifier();
    await v.ready();
    const token = await idp.mint({ user: DEMO_USERS.alan.preferredUsername, scopes: ['Customers.Read', 'Orders.Read'] });
    const principal = await v.verify(token);
    expect({ ...principal, scopes: [...principal.scopes] }).toEqual({
      tenantId: DEMO_TENANT_ID,
      objectId: DEMO_USERS.alan.oid,
      subject: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      clientId: DEMO_APPS.graphiql.clientId,
      scopes: ['Customers.Read', 'Orders.Read'],
      isApp: false,
      issuer: idp.issuer,
      expiresAt: expect.any(Number),
    });
    expect(principal.token).toBe(token);
    expect(JSON.stringify(principal)).not.toContain(token);
    v.close();
  });

  it('of an app (idtyp app): roles as scopes, isApp', async () => {
    const v = verifier();
    const principal = await v.verify(await idp.mint({ kind: 'app', roles: ['Customers.Read'] }));
    const agentSp = servicePrincipalObjectId(DEMO_TENANT_ID, DEMO_APPS.agent.clientId);
    expect(principal).toMatchObject({ objectId: agentSp, subject: agentSp, clientId: DEMO_APPS.agent.clientId, isApp: true });
    expect([...principal.scopes]).toEqual(['Customers.Read']);
  });

  it('of an app without idtyp: no scp and roles present means an app', async () => {
    const principal = await verifier().verify(await idp.mint({ kind: 'app', roles: ['Orders.Read'], claims: { idtyp: undefined } }));
    expect(principal.isApp).toBe(true);
  });

  it('of a v1 token: appid as the client id, scp ∪ roles', async () => {
    const v = verifier({ issuers: [{ issuer: idp.v1Issuer }] });
    const principal = await v.verify(await idp.mint({ version: '1.0', scopes: ['Customers.Read'], roles: ['Reports.Admin'] }));
    expect(principal).toMatchObject({ clientId: DEMO_APPS.graphiql.clientId, issuer: idp.v1Issuer, isApp: false });
    expect([...principal.scopes]).toEqual(['Customers.Read', 'Reports.Admin']);
  });
});

describe('createEntraVerifier: rules not reachable through the demo gateway', () => {
  it('a key whose JWKS entry names another issuer does not sign for a {tenantid} issuer (signing key issuer validation)', async () => {
    // The tenant's own JWKS: each key's issuer is the home tenant's, not the template.
    const v = verifier({ issuers: [{ issuer: idp.multiTenantIssuer, jwksUri: idp.jwksUri }], tenants: [DEMO_TENANT_ID, PARTNER_TENANT] });
    expect((await v.verify(await idp.mint())).tenantId).toBe(DEMO_TENANT_ID);
    const partnerToken = await idp.mint({ claims: { tid: PARTNER_TENANT, iss: `${idp.url}/${PARTNER_TENANT}/v2.0` } });
    expect(await refusal(v.verify(partnerToken))).toEqual({ reason: 'signing key not valid for this issuer', bearerError: 'invalid_token', status: 401 });
    // The same token through the multi-tenant key document (issuer = template): accepted.
    const common = verifier({ issuers: [{ issuer: idp.multiTenantIssuer, jwksUri: idp.commonJwksUri }], tenants: [DEMO_TENANT_ID, PARTNER_TENANT] });
    expect((await common.verify(partnerToken)).tenantId).toBe(PARTNER_TENANT);
  });

  it('auth.tenants also limits a single-tenant issuer', async () => {
    const v = verifier({ tenants: [PARTNER_TENANT] });
    expect(await refusal(v.verify(await idp.mint()))).toMatchObject({ reason: 'untrusted issuer or tenant' });
  });

  it('the v1 and v2 issuers publish the same key; the reason given is the issuer\'s whose iss the token carries', async () => {
    for (const issuers of [[{ issuer: idp.issuer }, { issuer: idp.v1Issuer }], [{ issuer: idp.v1Issuer }, { issuer: idp.issuer }]]) {
      const v = verifier({ issuers });
      expect(await refusal(v.verify(await idp.mint({ claims: { ver: '1.0' } })))).toMatchObject({ reason: 'token version does not match issuer' });
    }
  });

  it('a token over maxTokenBytes is refused before it is decoded (400 invalid_request)', async () => {
    const v = verifier({ maxTokenBytes: 1024 });
    expect(await refusal(v.verify(`${'a'.repeat(1025)}`))).toEqual({ reason: 'token too large', bearerError: 'invalid_request', status: 400 });
  });

  it('a clock skew of 0 refuses a token expired a second ago that the default 60 s accepts', async () => {
    const token = await idp.mint({ claims: { exp: Math.floor(Date.now() / 1000) - 1 } });
    expect((await verifier().verify(token)).tenantId).toBe(DEMO_TENANT_ID);
    expect(await refusal(verifier({ clockSkewMs: 0 }).verify(token))).toMatchObject({ reason: 'token expired' });
  });
});

describe('createEntraVerifier: keys lifecycle', () => {
  it('ready() loads every issuer and starts one hourly background refresh per issuer; close() stops them', async () => {
    const scheduler = manualScheduler();
    const v = createEntraVerifier({ issuers: [{ issuer: idp.issuer }, { issuer: idp.v1Issuer }], audiences: AUDIENCES, every: scheduler.every });
    expect(v.isReady).toBe(false);
    await v.ready();
    expect(v.isReady).toBe(true);
    expect(scheduler.intervals).toEqual([3_600_000, 3_600_000]);
    const before = idp.stats.jwksRequests;
    scheduler.tick();
    await expect.poll(() => idp.stats.jwksRequests).toBe(before + 2);
    v.close();
    expect(scheduler.active).toBe(0);
  });

  it('ready() rejects when an issuer cannot be loaded, reports it, and verify answers keys unavailable', async () => {
    const failures: KeysRefreshFailure[] = [];
    const v = verifier({ issuers: [{ issuer: idp.issuer, jwksUri: `${idp.url}/nowhere/keys` }], onKeysRefreshFailed: (f) => failures.push(f) });
    await expect(v.ready()).rejects.toThrow('answered 404');
    expect(v.isReady).toBe(false);
    expect(failures).toEqual([{ issuer: idp.issuer, reason: `GET ${idp.url}/nowhere/keys answered 404`, keysUnavailable: true }]);
    const error = await v.verify(await idp.mint()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigningKeysUnavailableError);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 30 });
  });
});

describe('createEntraVerifier: options', () => {
  it.each([
    [{ issuers: [] }, 'createEntraVerifier: at least one issuer is required'],
    [{ audiences: [] }, 'createEntraVerifier: at least one audience is required'],
    [{ tenants: ['contoso.onmicrosoft.com'] }, 'createEntraVerifier: tenants[0] must be a tenant id (a GUID)'],
    [{ issuers: [{ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0', jwksUri: 'https://x/keys' }] }, 'createEntraVerifier: tenants is required when an issuer contains {tenantid}'],
    [{ clockSkewMs: -1 }, 'createEntraVerifier: clockSkewMs must be a number of milliseconds, at least 0'],
    [{ maxTokenBytes: 0 }, 'createEntraVerifier: maxTokenBytes must be a positive integer'],
    [{ cacheSize: 1.5 }, 'createEntraVerifier: cacheSize must be a positive integer'],
    [{ jwksMaxStaleMs: 60_000, jwksRefreshIntervalMs: 120_000 }, 'createEntraVerifier: jwksMaxStaleMs must be at least jwksRefreshIntervalMs'],
    [{ jwksCooldownMs: -5 }, 'IssuerKeys: cooldownMs must be a number of milliseconds, at least 0'],
  ] as [Partial<EntraVerifierOptions>, string][])('refuses %j', (options, message) => {
    expect(() => verifier(options)).toThrow(new TypeError(message));
  });
});

describe('the auth block of the configuration', () => {
  const base = {
    auth: { issuers: [{ issuer: 'https://login.microsoftonline.com/7a3c1e52-4b0f-4d7e-9a61-0c2f5e8d9b13/v2.0' }], audiences: ['api://meshgate'] },
    subgraphs: [{ name: 'orders', url: 'http://127.0.0.1:4102/graphql', token: 'none' }],
  };

  it('defaults auth.keys to cooldown 30 s, refreshInterval 1 h, maxStale 24 h', () => {
    expect(parseConfig(base).auth.keys).toEqual({ cooldown: 30_000, refreshInterval: 3_600_000, maxStale: 86_400_000 });
    expect(parseConfig({ ...base, auth: { ...base.auth, keys: { cooldown: '5s', refreshInterval: '15m', maxStale: '2h' } } }).auth.keys).toEqual({
      cooldown: 5_000,
      refreshInterval: 900_000,
      maxStale: 7_200_000,
    });
  });

  it.each([
    [{ tenants: ['contoso.onmicrosoft.com'] }, 'config: auth.tenants[0]: must be a tenant id (a GUID), not a domain name'],
    [{ keys: { refreshInterval: '2h', maxStale: '1h' } }, 'config: auth.keys.maxStale: must be at least auth.keys.refreshInterval'],
    [{ keys: { cooldown: 'soon' } }, 'config: auth.keys.cooldown: "soon" is not a duration (use 60, "500ms", "60s", "5m" or "1h")'],
    [{ keys: { maxstale: '1h' } }, 'config: auth.keys: unknown key "maxstale"'],
  ])('refuses %j', (auth, message) => {
    expect(() => parseConfig({ ...base, auth: { ...base.auth, ...auth } })).toThrow(message);
  });
});
