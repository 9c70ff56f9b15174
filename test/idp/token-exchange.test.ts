import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_TYPE, DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS, servicePrincipalObjectId, startDevIdentityProvider } from '../../src/idp/index.js';
import type { DevIdentityProvider } from '../../src/idp/index.js';
import { expectEntraError, expectNoLeak, postForm, verifyWithJwks } from './support.js';

const gateway = DEMO_APPS.gateway;
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

describe('RFC 8693 token exchange', () => {
  let clock = Date.UTC(2030, 5, 1, 8, 0, 0);
  let idp: DevIdentityProvider;
  beforeAll(async () => {
    idp = await startDevIdentityProvider({ now: () => clock });
  });
  afterAll(async () => {
    await idp.close();
  });

  const at = () => ({ currentDate: new Date(clock) });
  const exchange = (subjectToken: string, extra: Record<string, string>) =>
    postForm(idp.tokenEndpoint, {
      grant_type: TOKEN_EXCHANGE,
      client_id: gateway.clientId,
      client_secret: gateway.clientSecret,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      ...extra,
    });

  it("exchanges a person's token for the audience, aud as requested, RFC 8693 response", async () => {
    const subject = await idp.mint({ user: 'alan@meshgate.dev', scopes: ['Orders.Read', 'Customers.Read'] });
    const before = idp.stats.tokenRequests[TOKEN_EXCHANGE] ?? 0;
    const response = await exchange(subject, { audience: 'api://orders', requested_token_type: ACCESS_TOKEN_TYPE });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      access_token: expect.any(String),
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: 3600,
      ext_expires_in: 3600,
      scope: 'Orders.Read',
    });
    expect(idp.stats.tokenRequests[TOKEN_EXCHANGE]).toBe(before + 1);
    const claims = await verifyWithJwks(idp, response.body.access_token as string, { ...at(), audience: 'api://orders' });
    expect(claims).toEqual({
      aud: 'api://orders',
      iss: idp.issuer,
      iat: clock / 1000,
      nbf: clock / 1000,
      exp: clock / 1000 + 3600,
      aio: expect.any(String),
      azp: gateway.clientId,
      azpacr: '1',
      name: DEMO_USERS.alan.name,
      oid: DEMO_USERS.alan.oid,
      preferred_username: DEMO_USERS.alan.preferredUsername,
      rh: expect.any(String),
      scp: 'Orders.Read',
      sub: expect.any(String),
      tid: DEMO_TENANT_ID,
      uti: expect.any(String),
      ver: '2.0',
    });
  });

  it('narrows to the requested scope (bare or <resource>/<scope>) and refuses scopes not held', async () => {
    const subject = await idp.mint({ scopes: ['Customers.Read', 'Customers.PII.Read'] });
    const bare = await exchange(subject, { audience: DEMO_APPS.customers.clientId, scope: 'Customers.Read' });
    expect(bare.body).toMatchObject({ scope: 'Customers.Read' });
    const claims = await verifyWithJwks(idp, bare.body.access_token as string, { ...at(), audience: DEMO_APPS.customers.clientId });
    expect(claims.scp).toBe('Customers.Read');
    const prefixed = await exchange(subject, { audience: 'api://customers', scope: 'api://customers/Customers.PII.Read', resource: 'api://customers' });
    expect(prefixed.body).toMatchObject({ scope: 'Customers.PII.Read' });

    const narrow = await idp.mint({ scopes: ['Customers.Read'] });
    expectEntraError(await exchange(narrow, { audience: 'api://customers', scope: 'Customers.PII.Read' }), 400, 'invalid_scope', 70011);
    expectEntraError(await exchange(narrow, { audience: 'api://customers', scope: 'api://orders/Orders.Read' }), 400, 'invalid_scope', 70011, 'is not a permission of the requested audience');
  });

  it("exchanges an app-only token for a token of the same app, roles narrowed to the audience's", async () => {
    const subject = await idp.mint({ kind: 'app' }); // the agent: Customers.Read, Knowledge.Read on the gateway
    const response = await exchange(subject, { audience: 'api://customers' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      access_token: expect.any(String),
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: 3600,
      ext_expires_in: 3600,
      scope: 'Customers.Read',
    });
    const agent = servicePrincipalObjectId(DEMO_TENANT_ID, DEMO_APPS.agent.clientId);
    const claims = await verifyWithJwks(idp, response.body.access_token as string, { ...at(), audience: 'api://customers' });
    expect(claims).toMatchObject({ aud: 'api://customers', azp: DEMO_APPS.agent.clientId, idtyp: 'app', oid: agent, sub: agent, roles: ['Customers.Read'] });
    expect(claims).not.toHaveProperty('scp');
  });

  it('refuses other subject token types, unknown audiences and a missing audience', async () => {
    const subject = await idp.mint();
    expectEntraError(
      await exchange(subject, { audience: 'api://orders', subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }),
      400,
      'invalid_request',
      9002313,
      `'subject_token_type' must be '${ACCESS_TOKEN_TYPE}'.`,
    );
    expectEntraError(
      await exchange(subject, { audience: 'api://orders', requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }),
      400,
      'invalid_request',
      9002313,
    );
    expectEntraError(await exchange(subject, { audience: 'api://nowhere' }), 400, 'invalid_target', 500011, 'The resource principal named api://nowhere was not found');
    expectEntraError(await exchange(subject, { audience: 'api://orders', resource: 'api://customers' }), 400, 'invalid_target', 500011);
    expectEntraError(await exchange(subject, {}), 400, 'invalid_request', 900144, "parameter: 'audience'.");
  });

  it('refuses invalid subject tokens with invalid_request (RFC 8693 §2.2.2)', async () => {
    const expiring = await idp.mint({ lifetimeSeconds: 60 });
    clock += 61_000;
    try {
      const expired = await exchange(expiring, { audience: 'api://orders' });
      expectEntraError(expired, 400, 'invalid_request', 500133);
      expectNoLeak(expired, expiring);
    } finally {
      clock -= 61_000;
    }
    const notForGateway = await idp.mint({ audience: 'api://knowledge' });
    expectEntraError(await exchange(notForGateway, { audience: 'api://orders' }), 400, 'invalid_request', 500131);
  });

  it('applies the MFA challenge to token exchange too', async () => {
    const subject = await idp.mint({ claims: { mg_require_mfa: true } });
    const response = await exchange(subject, { audience: 'api://orders' });
    expectEntraError(response, 400, 'interaction_required', 50076);
    expect(response.body.claims).toBe('{"access_token":{"acrs":{"essential":true,"value":"c1"}}}');
  });
});
