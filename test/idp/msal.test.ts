import { ConfidentialClientApplication } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_APPS,
  DEMO_TENANT_ID,
  DEMO_USERS,
  msalConfigForDevIdentityProvider,
  servicePrincipalObjectId,
  startDevIdentityProvider,
} from '../../src/idp/index.js';
import type { DevIdentityProvider } from '../../src/idp/index.js';
import { getJson, verifyWithJwks } from './support.js';

describe('@azure/msal-node against the dev identity provider', () => {
  let idp: DevIdentityProvider;
  beforeAll(async () => {
    idp = await startDevIdentityProvider();
  });
  afterAll(async () => {
    await idp.close();
  });

  function gatewayClient(): ConfidentialClientApplication {
    return new ConfidentialClientApplication(
      msalConfigForDevIdentityProvider(idp, {
        clientId: DEMO_APPS.gateway.clientId,
        clientSecret: DEMO_APPS.gateway.clientSecret,
      }),
    );
  }

  it('builds its authorityMetadata from the same document the provider serves', async () => {
    const config = msalConfigForDevIdentityProvider(idp, { clientId: 'c', clientSecret: 's' });
    const port = new URL(idp.url).port;
    expect(JSON.parse(config.auth.authorityMetadata)).toEqual((await getJson(idp.discoveryUrl)).body);
    expect(config.auth.authority).toBe(`https://localhost:${port}/${DEMO_TENANT_ID}`);
    expect(config.auth.knownAuthorities).toEqual([`localhost:${port}`]);
    expect(JSON.parse(config.auth.cloudDiscoveryMetadata)).toEqual({
      tenant_discovery_endpoint: `https://localhost:${port}/${DEMO_TENANT_ID}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [
        { preferred_network: `localhost:${port}`, preferred_cache: `localhost:${port}`, aliases: [`localhost:${port}`] },
      ],
    });
  });

  it('acquireTokenByClientCredential: an app-only token of the gateway for api://orders', async () => {
    const result = await gatewayClient().acquireTokenByClientCredential({ scopes: ['api://orders/.default'] });
    expect(result).not.toBeNull();
    expect(result!.tokenType).toBe('Bearer');
    expect(result!.scopes).toEqual(['api://orders/.default']);
    const claims = await verifyWithJwks(idp, result!.accessToken, { audience: DEMO_APPS.orders.clientId });
    const gatewayServicePrincipal = servicePrincipalObjectId(DEMO_TENANT_ID, DEMO_APPS.gateway.clientId);
    expect(claims).toEqual({
      aud: DEMO_APPS.orders.clientId,
      iss: idp.issuer,
      iat: expect.any(Number),
      nbf: expect.any(Number),
      exp: expect.any(Number),
      aio: expect.any(String),
      azp: DEMO_APPS.gateway.clientId,
      azpacr: '1',
      idtyp: 'app',
      oid: gatewayServicePrincipal,
      rh: expect.any(String),
      roles: ['Orders.Read'],
      sub: gatewayServicePrincipal,
      tid: DEMO_TENANT_ID,
      uti: expect.any(String),
      ver: '2.0',
    });
    expect(idp.stats.tokenRequests.client_credentials).toBe(1);
  });

  it('acquireTokenOnBehalfOf: the person of the assertion, for api://orders, with their orders scope', async () => {
    const assertion = await idp.mint({ user: 'alan@meshgate.dev' });
    const result = await gatewayClient().acquireTokenOnBehalfOf({
      oboAssertion: assertion,
      scopes: ['api://orders/.default'],
    });
    expect(result).not.toBeNull();
    expect(result!.tokenType).toBe('Bearer');
    const claims = await verifyWithJwks(idp, result!.accessToken, { audience: DEMO_APPS.orders.clientId });
    expect(claims).toEqual({
      aud: DEMO_APPS.orders.clientId,
      iss: idp.issuer,
      iat: expect.any(Number),
      nbf: expect.any(Number),
      exp: expect.any(Number),
      aio: expect.any(String),
      azp: DEMO_APPS.gateway.clientId,
      azpacr: '1',
      name: DEMO_USERS.alan.name,
      oid: DEMO_USERS.alan.oid,
      preferred_username: DEMO_USERS.alan.preferredUsername,
      rh: expect.any(String),
      scp: 'Orders.Read',
      sub: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      tid: DEMO_TENANT_ID,
      uti: expect.any(String),
      ver: '2.0',
    });
    expect(idp.stats.tokenRequests['urn:ietf:params:oauth:grant-type:jwt-bearer']).toBe(1);
  });

  it('surfaces the conditional-access challenge as MSAL does for Entra', async () => {
    const assertion = await idp.mint({ claims: { mg_require_mfa: true } });
    const failure = await gatewayClient()
      .acquireTokenOnBehalfOf({ oboAssertion: assertion, scopes: ['api://orders/.default'] })
      .then(
        () => undefined,
        (error: unknown) => error as { errorCode: string; claims: string; subError: string },
      );
    expect(failure).toMatchObject({
      errorCode: 'interaction_required',
      claims: '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}',
    });
  });
});
