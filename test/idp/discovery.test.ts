import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID, startDevIdentityProvider } from '../../src/idp/index.js';
import type { DevIdentityProvider } from '../../src/idp/index.js';
import { expectEntraError, getJson, GUID } from './support.js';

describe('dev identity provider discovery and keys', () => {
  let idp: DevIdentityProvider;
  beforeAll(async () => {
    idp = await startDevIdentityProvider();
  });
  afterAll(async () => {
    await idp.close();
  });

  const commonMetadata = (tokenEndpoint: string, base: string) => ({
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: tokenEndpoint,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256'],
    grant_types_supported: [
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'oid', 'tid', 'ver', 'name', 'preferred_username'],
    request_uri_parameter_supported: false,
    tenant_region_scope: 'WW',
    cloud_instance_name: 'meshgate.dev',
  });

  it('listens on loopback with Entra-shaped addresses', () => {
    expect(idp.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(idp.tenantId).toBe(DEMO_TENANT_ID);
    expect(idp.issuer).toBe(`${idp.url}/${DEMO_TENANT_ID}/v2.0`);
    expect(idp.v1Issuer).toBe(`${idp.url}/${DEMO_TENANT_ID}/`);
    expect(idp.discoveryUrl).toBe(`${idp.issuer}/.well-known/openid-configuration`);
    expect(idp.jwksUri).toBe(`${idp.url}/${DEMO_TENANT_ID}/discovery/v2.0/keys`);
    expect(idp.tokenEndpoint).toBe(`${idp.url}/${DEMO_TENANT_ID}/oauth2/v2.0/token`);
  });

  it('serves the v2.0 OpenID configuration', async () => {
    const before = idp.stats.discoveryRequests;
    const response = await getJson(idp.discoveryUrl);
    const base = `${idp.url}/${DEMO_TENANT_ID}`;
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ...commonMetadata(idp.tokenEndpoint, base),
      issuer: idp.issuer,
      jwks_uri: idp.jwksUri,
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    });
    expect(idp.stats.discoveryRequests).toBe(before + 1);
  });

  it('serves the v1.0 OpenID configuration with the v1 issuer and keys', async () => {
    const response = await getJson(`${idp.url}/${DEMO_TENANT_ID}/.well-known/openid-configuration`);
    const base = `${idp.url}/${DEMO_TENANT_ID}`;
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ...commonMetadata(idp.tokenEndpoint, base),
      issuer: idp.v1Issuer,
      jwks_uri: `${base}/discovery/keys`,
      scopes_supported: ['openid'],
    });
  });

  it('publishes the JWKS as Entra does: use sig, kid, no alg', async () => {
    const before = idp.stats.jwksRequests;
    const v2 = await getJson(idp.jwksUri);
    expect(v2.status).toBe(200);
    expect(v2.body).toEqual({
      keys: [{ kty: 'RSA', use: 'sig', kid: idp.currentKid, n: expect.any(String), e: 'AQAB', issuer: idp.issuer }],
    });
    const [key] = v2.body.keys as Array<{ n: string }>;
    expect(Buffer.from(key!.n, 'base64url').length).toBe(256); // RSA 2048
    const v1 = await getJson(`${idp.url}/${DEMO_TENANT_ID}/discovery/keys`);
    expect(v1.body).toEqual({ keys: [{ kty: 'RSA', use: 'sig', kid: idp.currentKid, n: key!.n, e: 'AQAB' }] });
    expect(idp.stats.jwksRequests).toBe(before + 2);
  });

  it('publishes every key under common and organizations with the {tenantid} issuer template, as Entra\'s multi-tenant document does', async () => {
    expect(idp.multiTenantIssuer).toBe(`${idp.url}/{tenantid}/v2.0`);
    expect(idp.commonJwksUri).toBe(`${idp.url}/common/discovery/v2.0/keys`);
    const before = idp.stats.jwksRequests;
    const common = await getJson(idp.commonJwksUri);
    expect(common.status).toBe(200);
    expect(common.body).toEqual({
      keys: [{ kty: 'RSA', use: 'sig', kid: idp.currentKid, n: expect.any(String), e: 'AQAB', issuer: `${idp.url}/{tenantid}/v2.0` }],
    });
    expect((await getJson(`${idp.url}/organizations/discovery/v2.0/keys`)).body).toEqual(common.body);
    expect(idp.stats.jwksRequests).toBe(before + 2);
    expect((await fetch(idp.commonJwksUri, { method: 'POST' })).status).toBe(405);
    expectEntraError(await getJson(`${idp.url}/common/oauth2/v2.0/token`), 400, 'invalid_tenant', 90002);
  });

  it('answers another tenant with AADSTS90002', async () => {
    const otherTenant = '00000000-0000-0000-0000-000000000000';
    const response = await getJson(`${idp.url}/${otherTenant}/v2.0/.well-known/openid-configuration`);
    expectEntraError(response, 400, 'invalid_tenant', 90002, `Tenant '${otherTenant}' not found.`);
  });

  it('answers unknown paths 404 and wrong methods 405, in JSON', async () => {
    const unknown = await getJson(`${idp.url}/${DEMO_TENANT_ID}/oauth2/v2.0/authorize`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error: 'not_found',
      error_description: expect.stringMatching(/^The requested resource does not exist\.\r\nTrace ID: /),
      error_codes: [],
      timestamp: expect.any(String),
      trace_id: expect.stringMatching(GUID),
      correlation_id: expect.stringMatching(GUID),
    });

    const getToken = await getJson(idp.tokenEndpoint);
    expectEntraError(getToken, 405, 'method_not_allowed', 900561, 'The endpoint only accepts POST requests. Received a GET request.');
    expect(getToken.headers.get('allow')).toBe('POST');

    const postKeys = await fetch(idp.jwksUri, { method: 'POST' });
    expect(postKeys.status).toBe(405);
    expect(postKeys.headers.get('allow')).toBe('GET');
  });
});
