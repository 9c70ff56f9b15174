import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_TENANT_ID, servicePrincipalObjectId, startDevIdentityProvider } from '../../src/idp/index.js';
import type { DevApp, DevIdentityProvider } from '../../src/idp/index.js';
import { expectEntraError, expectNoLeak, postForm, verifyWithJwks } from './support.js';

const gateway = DEMO_APPS.gateway;
const CERT_CLIENT_ID = '5d0e7c3a-2b1f-4e6d-9c8a-7f3e1d2c4b50';

describe('client_credentials and client authentication', () => {
  let idp: DevIdentityProvider;
  let certificateKey: CryptoKey;
  let otherKey: CryptoKey;
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    certificateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const certificateClient: DevApp = {
      clientId: CERT_CLIENT_ID,
      displayName: 'Certificate client',
      clientCertificateKeys: [{ ...(await exportJWK(pair.publicKey)), kid: 'cert-1' }],
      appRoleGrants: { [DEMO_APPS.orders.clientId]: ['Orders.Read'] },
    };
    idp = await startDevIdentityProvider({ apps: [...Object.values(DEMO_APPS), certificateClient] });
  });
  afterAll(async () => {
    await idp.close();
  });

  const credentials = { grant_type: 'client_credentials', scope: 'api://orders/.default' };

  it('issues an app-only token: client_secret_post', async () => {
    const response = await postForm(idp.tokenEndpoint, { ...credentials, client_id: gateway.clientId, client_secret: gateway.clientSecret });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(response.body).toEqual({
      token_type: 'Bearer',
      scope: 'api://orders/.default',
      expires_in: 3600,
      ext_expires_in: 3600,
      access_token: expect.any(String),
    });
    const claims = await verifyWithJwks(idp, response.body.access_token as string, { audience: DEMO_APPS.orders.clientId });
    expect(claims).toMatchObject({
      aud: DEMO_APPS.orders.clientId,
      azp: gateway.clientId,
      azpacr: '1',
      idtyp: 'app',
      oid: servicePrincipalObjectId(DEMO_TENANT_ID, gateway.clientId),
      roles: ['Orders.Read'],
      ver: '2.0',
    });
    expect(claims).not.toHaveProperty('scp');
  });

  it('issues the same token shape with client_secret_basic (form-urlencoded id:secret)', async () => {
    const basic = Buffer.from(`${encodeURIComponent(gateway.clientId)}:${encodeURIComponent(gateway.clientSecret)}`).toString('base64');
    const response = await postForm(idp.tokenEndpoint, { ...credentials, scope: `${DEMO_APPS.customers.clientId}/.default` }, { authorization: `Basic ${basic}` });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      token_type: 'Bearer',
      scope: `${DEMO_APPS.customers.clientId}/.default`,
      expires_in: 3600,
      ext_expires_in: 3600,
      access_token: expect.any(String),
    });
    const claims = await verifyWithJwks(idp, response.body.access_token as string, { audience: DEMO_APPS.customers.clientId });
    expect(claims).toMatchObject({ azp: gateway.clientId, roles: ['Customers.Read'], idtyp: 'app' });
  });

  it('omits roles when the client holds none on the resource', async () => {
    const response = await postForm(idp.tokenEndpoint, {
      ...credentials,
      client_id: DEMO_APPS.agent.clientId,
      client_secret: DEMO_APPS.agent.clientSecret,
    });
    expect(response.status).toBe(200);
    const claims = await verifyWithJwks(idp, response.body.access_token as string, { audience: DEMO_APPS.orders.clientId });
    expect(claims).not.toHaveProperty('roles');
    expect(claims).toMatchObject({ azp: DEMO_APPS.agent.clientId, idtyp: 'app' });
  });

  it('counts token requests by grant type', async () => {
    const before = idp.stats.tokenRequests.client_credentials ?? 0;
    await postForm(idp.tokenEndpoint, { ...credentials, client_id: gateway.clientId, client_secret: gateway.clientSecret });
    expect(idp.stats.tokenRequests.client_credentials).toBe(before + 1);
  });

  describe('client authentication failures', () => {
    it('unknown client: 401 invalid_client AADSTS700016', async () => {
      const response = await postForm(idp.tokenEndpoint, { ...credentials, client_id: 'not-registered', client_secret: 'whatever-secret' });
      expectEntraError(response, 401, 'invalid_client', 700016, "Application with identifier 'not-registered' was not found in the directory");
      expectNoLeak(response, 'whatever-secret');
    });

    it('wrong secret: 401 invalid_client AADSTS7000215, secret not echoed', async () => {
      const response = await postForm(idp.tokenEndpoint, { ...credentials, client_id: gateway.clientId, client_secret: 'wrong-secret-value' });
      expectEntraError(response, 401, 'invalid_client', 7000215, 'Invalid client secret provided.');
      expectNoLeak(response, 'wrong-secret-value');
    });

    it('wrong secret over Basic: 401 with a Basic challenge', async () => {
      const basic = Buffer.from(`${gateway.clientId}:nope`).toString('base64');
      const response = await postForm(idp.tokenEndpoint, credentials, { authorization: `Basic ${basic}` });
      expectEntraError(response, 401, 'invalid_client', 7000215);
      expect(response.headers.get('www-authenticate')).toBe(`Basic realm="${DEMO_TENANT_ID}"`);
    });

    it('no credentials: 401 invalid_client AADSTS7000218', async () => {
      const response = await postForm(idp.tokenEndpoint, { ...credentials, client_id: DEMO_APPS.graphiql.clientId });
      expectEntraError(response, 401, 'invalid_client', 7000218, "'client_assertion' or 'client_secret'");
    });

    it('two methods at once: 400 invalid_request', async () => {
      const basic = Buffer.from(`${gateway.clientId}:${gateway.clientSecret}`).toString('base64');
      const response = await postForm(
        idp.tokenEndpoint,
        { ...credentials, client_id: gateway.clientId, client_secret: gateway.clientSecret },
        { authorization: `Basic ${basic}` },
      );
      expectEntraError(response, 400, 'invalid_request', 9002313, 'more than one client authentication method');
    });

    it('the correlation id is the caller\'s client-request-id', async () => {
      const requestId = '0b6a4f0e-5f44-4d53-8f4e-2f1b1a7c9d11';
      const response = await postForm(idp.tokenEndpoint, { ...credentials, client_id: gateway.clientId, client_secret: 'x' }, { 'client-request-id': requestId });
      expect(response.body.correlation_id).toBe(requestId);
    });
  });

  describe('private_key_jwt', () => {
    const assertion = (key: CryptoKey, claims: Record<string, unknown> = {}, kid = 'cert-1') =>
      new SignJWT({
        iss: CERT_CLIENT_ID,
        sub: CERT_CLIENT_ID,
        aud: idp.tokenEndpoint,
        jti: crypto.randomUUID(),
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 300,
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid })
        .sign(key);
    const form = (clientAssertion: string) => ({
      ...credentials,
      client_id: CERT_CLIENT_ID,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion,
    });

    it('authenticates a client by a JWT signed with its registered key (azpacr 2)', async () => {
      const response = await postForm(idp.tokenEndpoint, form(await assertion(certificateKey)));
      expect(response.status).toBe(200);
      const claims = await verifyWithJwks(idp, response.body.access_token as string, { audience: DEMO_APPS.orders.clientId });
      expect(claims).toMatchObject({ azp: CERT_CLIENT_ID, azpacr: '2', roles: ['Orders.Read'], idtyp: 'app' });
    });

    it('refuses a JWT signed by another key, an unknown kid, another audience, an expired JWT', async () => {
      expectEntraError(await postForm(idp.tokenEndpoint, form(await assertion(otherKey))), 401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
      expectEntraError(await postForm(idp.tokenEndpoint, form(await assertion(certificateKey, {}, 'cert-2'))), 401, 'invalid_client', 700027, 'is not registered on application');
      expectEntraError(
        await postForm(idp.tokenEndpoint, form(await assertion(certificateKey, { aud: 'https://elsewhere/token' }))),
        401,
        'invalid_client',
        50012,
        'Client assertion audience claim does not match Realm issuer.',
      );
      expectEntraError(
        await postForm(idp.tokenEndpoint, form(await assertion(certificateKey, { exp: Math.floor(Date.now() / 1000) - 600 }))),
        401,
        'invalid_client',
        700024,
      );
    });

    it('refuses an assertion for an app without registered keys', async () => {
      const asGateway = await assertion(certificateKey, { iss: gateway.clientId, sub: gateway.clientId });
      const response = await postForm(idp.tokenEndpoint, { ...form(asGateway), client_id: gateway.clientId });
      expectEntraError(response, 401, 'invalid_client', 700027, 'The certificate with identifier used to sign the client assertion is not registered on application.');
    });

    it("refuses an assertion whose subject is not the request's client_id", async () => {
      const response = await postForm(idp.tokenEndpoint, { ...form(await assertion(certificateKey)), client_id: gateway.clientId });
      expectEntraError(response, 401, 'invalid_client', 700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
    });
  });

  describe('request errors', () => {
    it('missing parameter: AADSTS900144 naming it', async () => {
      const response = await postForm(idp.tokenEndpoint, { grant_type: 'client_credentials', client_id: gateway.clientId, client_secret: gateway.clientSecret });
      expectEntraError(response, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
      const noGrant = await postForm(idp.tokenEndpoint, { client_id: gateway.clientId });
      expectEntraError(noGrant, 400, 'invalid_request', 900144, "parameter: 'grant_type'.");
    });

    it('a scope that is not <resource>/.default: invalid_scope AADSTS1002012', async () => {
      const response = await postForm(idp.tokenEndpoint, {
        ...credentials,
        scope: 'api://orders/Orders.Read',
        client_id: gateway.clientId,
        client_secret: gateway.clientSecret,
      });
      expectEntraError(response, 400, 'invalid_scope', 1002012, 'Client credential flows must have a scope value with /.default suffixed');
    });

    it('two scopes: invalid_scope AADSTS70011; an unknown resource: invalid_resource AADSTS500011', async () => {
      const secret = { client_id: gateway.clientId, client_secret: gateway.clientSecret };
      expectEntraError(
        await postForm(idp.tokenEndpoint, { ...credentials, ...secret, scope: 'api://orders/.default api://customers/.default' }),
        400,
        'invalid_scope',
        70011,
      );
      expectEntraError(
        await postForm(idp.tokenEndpoint, { ...credentials, ...secret, scope: 'api://nothing/.default' }),
        400,
        'invalid_resource',
        500011,
        'The resource principal named api://nothing was not found',
      );
    });

    it('an unsupported grant type: AADSTS70003', async () => {
      const before = idp.stats.tokenRequests.unsupported ?? 0;
      const response = await postForm(idp.tokenEndpoint, { grant_type: 'password', username: 'ada', password: 'p' });
      expectEntraError(response, 400, 'unsupported_grant_type', 70003, "The app requested an unsupported grant type 'password'.");
      expect(idp.stats.tokenRequests.unsupported).toBe(before + 1);
    });

    it('a parameter sent twice: invalid_request', async () => {
      const response = await fetch(idp.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=api%3A%2F%2Forders%2F.default&scope=api%3A%2F%2Fcustomers%2F.default',
      });
      expectEntraError({ status: response.status, headers: response.headers, body: await response.json() }, 400, 'invalid_request', 9002313, "The parameter 'scope' was sent more than once.");
    });

    it('a JSON body: 400 invalid_request', async () => {
      const response = await fetch(idp.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials' }),
      });
      expectEntraError({ status: response.status, headers: response.headers, body: await response.json() }, 400, 'invalid_request', 9002313, "accepts only 'application/x-www-form-urlencoded'");
    });

    it('a body over 64 KiB: 413, and the provider keeps serving', async () => {
      const response = await postForm(idp.tokenEndpoint, { ...credentials, padding: 'x'.repeat(70 * 1024) });
      expectEntraError(response, 413, 'invalid_request', 9002313, 'The request body is larger than 65536 bytes.');
      const chunked = await fetch(idp.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new Blob([`grant_type=client_credentials&padding=${'x'.repeat(70 * 1024)}`]).stream(),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      const after = await postForm(idp.tokenEndpoint, { ...credentials, client_id: gateway.clientId, client_secret: gateway.clientSecret });
      expect(after.status).toBe(200);
    });
  });
});

describe('a resource that accepts v1.0 tokens', () => {
  it('gets v1 tokens: v1 issuer, Application ID URI audience, appid', async () => {
    const v1Orders: DevApp = { ...DEMO_APPS.orders, accessTokenVersion: '1.0' };
    const idp = await startDevIdentityProvider({ apps: [DEMO_APPS.gateway, v1Orders] });
    try {
      const response = await postForm(idp.tokenEndpoint, {
        grant_type: 'client_credentials',
        scope: 'api://orders/.default',
        client_id: gateway.clientId,
        client_secret: gateway.clientSecret,
      });
      expect(response.status).toBe(200);
      const claims = await verifyWithJwks(idp, response.body.access_token as string, { audience: 'api://orders', issuer: idp.v1Issuer });
      expect(claims).toMatchObject({ ver: '1.0', appid: gateway.clientId, appidacr: '1', idp: idp.v1Issuer, idtyp: 'app', roles: ['Orders.Read'] });
      expect(claims).not.toHaveProperty('azp');
    } finally {
      await idp.close();
    }
  });
});
