import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS, MFA_CLAIMS_CHALLENGE, startDevIdentityProvider } from '../../src/idp/index.js';
import type { DevIdentityProvider } from '../../src/idp/index.js';
import { expectEntraError, expectNoLeak, postForm, verifyWithJwks } from './support.js';

const gateway = DEMO_APPS.gateway;
const OBO_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

describe('On-Behalf-Of grant', () => {
  let clock = Date.UTC(2030, 0, 1, 9, 0, 0);
  let idp: DevIdentityProvider;
  beforeAll(async () => {
    idp = await startDevIdentityProvider({ now: () => clock });
  });
  afterAll(async () => {
    await idp.close();
  });

  const at = () => ({ currentDate: new Date(clock) });
  const obo = (assertion: string, scope: string, extra: Record<string, string> = {}) =>
    postForm(idp.tokenEndpoint, {
      grant_type: OBO_GRANT,
      requested_token_use: 'on_behalf_of',
      client_id: gateway.clientId,
      client_secret: gateway.clientSecret,
      assertion,
      scope,
      ...extra,
    });

  it('issues the same person a token for the resource, scp narrowed to what it exposes', async () => {
    const assertion = await idp.mint({ user: 'ada@meshgate.dev', scopes: ['Customers.Read', 'Orders.Read'] });
    const response = await obo(assertion, 'api://customers/.default openid profile offline_access');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      token_type: 'Bearer',
      scope: 'api://customers/Customers.Read',
      expires_in: 3600,
      ext_expires_in: 3600,
      access_token: expect.any(String),
    });
    const claims = await verifyWithJwks(idp, response.body.access_token as string, { ...at(), audience: DEMO_APPS.customers.clientId });
    expect(claims).toEqual({
      aud: DEMO_APPS.customers.clientId,
      iss: idp.issuer,
      iat: clock / 1000,
      nbf: clock / 1000,
      exp: clock / 1000 + 3600,
      aio: expect.any(String),
      azp: gateway.clientId,
      azpacr: '1',
      name: DEMO_USERS.ada.name,
      oid: DEMO_USERS.ada.oid,
      preferred_username: DEMO_USERS.ada.preferredUsername,
      rh: expect.any(String),
      scp: 'Customers.Read',
      sub: expect.any(String),
      tid: DEMO_TENANT_ID,
      uti: expect.any(String),
      ver: '2.0',
    });
  });

  it('gives user_impersonation when the person holds none of the resource scopes (.default)', async () => {
    const assertion = await idp.mint({ scopes: ['Knowledge.Read'] });
    const response = await obo(assertion, 'api://orders/.default');
    expect(response.body.scope).toBe('api://orders/user_impersonation');
    const claims = await verifyWithJwks(idp, response.body.access_token as string, { ...at(), audience: DEMO_APPS.orders.clientId });
    expect(claims.scp).toBe('user_impersonation');
  });

  it('grants named scopes the person holds, and refuses named scopes they do not', async () => {
    const assertion = await idp.mint({ scopes: ['Customers.Read', 'Customers.PII.Read'] });
    const granted = await obo(assertion, 'api://customers/Customers.Read');
    expect(granted.body).toMatchObject({ scope: 'api://customers/Customers.Read' });

    const narrow = await idp.mint({ scopes: ['Customers.Read'] });
    expectEntraError(await obo(narrow, 'api://customers/Customers.PII.Read'), 400, 'invalid_scope', 70011, 'None of the requested scopes');
    expectEntraError(await obo(narrow, 'api://customers/Customers.Write'), 400, 'invalid_scope', 70011, 'is not exposed by api://customers');
    expectEntraError(await obo(narrow, 'api://customers/.default api://orders/.default'), 400, 'invalid_scope', 28000);
  });

  it('accepts a v1 assertion addressed to the gateway by its Application ID URI', async () => {
    const assertion = await idp.mint({ version: '1.0', user: 'alan@meshgate.dev', scopes: ['Orders.Read'] });
    const response = await obo(assertion, 'api://orders/.default');
    expect(response.status).toBe(200);
    const claims = await verifyWithJwks(idp, response.body.access_token as string, { ...at(), audience: DEMO_APPS.orders.clientId });
    expect(claims).toMatchObject({ oid: DEMO_USERS.alan.oid, name: DEMO_USERS.alan.name, preferred_username: DEMO_USERS.alan.preferredUsername, scp: 'Orders.Read', ver: '2.0' });
  });

  it('refuses an app-only assertion: invalid_grant, not a user token', async () => {
    const assertion = await idp.mint({ kind: 'app' });
    const response = await obo(assertion, 'api://orders/.default');
    expectEntraError(response, 400, 'invalid_grant', 50013, 'The assertion is not a user token');
    expectNoLeak(response, assertion);
  });

  it('refuses an expired assertion: AADSTS500133 (injected clock)', async () => {
    const assertion = await idp.mint({ lifetimeSeconds: 600 });
    clock += 601_000;
    try {
      const response = await obo(assertion, 'api://orders/.default');
      expectEntraError(response, 400, 'invalid_grant', 500133, 'Assertion is not within its valid time range.');
      expectNoLeak(response, assertion);
    } finally {
      clock -= 601_000;
    }
  });

  it('refuses an assertion for another audience, a forged one, and one of another issuer', async () => {
    const forOrders = await idp.mint({ audience: 'api://orders' });
    expectEntraError(await obo(forOrders, 'api://orders/.default'), 400, 'invalid_grant', 500131, 'Assertion audience does not match the Client app presenting the assertion.');

    const genuine = await idp.mint();
    const [header, payload] = genuine.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not a signature').toString('base64url')}`;
    expectEntraError(await obo(forged, 'api://orders/.default'), 400, 'invalid_grant', 50013, 'Assertion failed signature validation.');

    const otherIssuer = await idp.mint({ claims: { iss: 'https://login.microsoftonline.com/other/v2.0' } });
    expectEntraError(await obo(otherIssuer, 'api://orders/.default'), 400, 'invalid_grant', 50013, 'was not issued by this tenant');

    expectEntraError(await obo('not-a-jwt', 'api://orders/.default'), 400, 'invalid_grant', 50027, 'JWT token is invalid or malformed.');
  });

  it('asks for MFA with a claims challenge, and issues once the client sends the claims', async () => {
    const assertion = await idp.mint({ claims: { mg_require_mfa: true } });
    const challenged = await obo(assertion, 'api://orders/.default');
    expectEntraError(challenged, 400, 'interaction_required', 50076, "you must use multi-factor authentication to access 'api://orders'.");
    expect(challenged.body.claims).toBe('{"access_token":{"acrs":{"essential":true,"value":"c1"}}}');
    expect(challenged.body.claims).toBe(MFA_CLAIMS_CHALLENGE);

    const answered = await obo(assertion, 'api://orders/.default', { claims: MFA_CLAIMS_CHALLENGE });
    expect(answered.status).toBe(200);
    const claims = await verifyWithJwks(idp, answered.body.access_token as string, { ...at(), audience: DEMO_APPS.orders.clientId });
    expect(claims.acrs).toEqual(['c1']);
  });

  it('requires its parameters', async () => {
    const assertion = await idp.mint();
    expectEntraError(
      await postForm(idp.tokenEndpoint, { grant_type: OBO_GRANT, client_id: gateway.clientId, client_secret: gateway.clientSecret, assertion, scope: 'api://orders/.default' }),
      400,
      'invalid_request',
      900144,
      "parameter: 'requested_token_use'.",
    );
    expectEntraError(
      await postForm(idp.tokenEndpoint, { grant_type: OBO_GRANT, requested_token_use: 'on_behalf_of', client_id: gateway.clientId, client_secret: gateway.clientSecret, scope: 'api://orders/.default' }),
      400,
      'invalid_request',
      900144,
      "parameter: 'assertion'.",
    );
    expectEntraError(await obo(assertion, 'Orders.Read'), 400, 'invalid_scope', 70011, "The scope Orders.Read does not name a resource");
    expectEntraError(await obo(assertion, 'openid profile'), 400, 'invalid_scope', 70011);
  });
});
