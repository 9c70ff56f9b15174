import { devIdentityProviderUrls, openIdConfiguration } from './discovery.js';

/**
 * A configuration for @azure/msal-node's `ConfidentialClientApplication` that gets its tokens
 * from the dev identity provider, without any look-up on the internet.
 *
 * MSAL refuses an `http:` authority, but it takes every endpoint from `authorityMetadata` when
 * given, and those may be plain http. So the authority is a stand-in `https://localhost:<port>`
 * that MSAL never contacts; `cloudDiscoveryMetadata` and `knownAuthorities` name that host so
 * that MSAL skips instance discovery (which would call login.microsoftonline.com).
 *
 * This module only builds a plain object: msal-node is not imported (it is a dev dependency).
 *
 * @example
 * const cca = new ConfidentialClientApplication(
 *   msalConfigForDevIdentityProvider(idp, { clientId: DEMO_APPS.gateway.clientId, clientSecret: DEMO_APPS.gateway.clientSecret }),
 * );
 * await cca.acquireTokenByClientCredential({ scopes: ['api://orders/.default'] });
 */
export interface DevIdentityProviderMsalConfiguration {
  auth: {
    clientId: string;
    clientSecret: string;
    authority: string;
    knownAuthorities: string[];
    cloudDiscoveryMetadata: string;
    authorityMetadata: string;
  };
}

export function msalConfigForDevIdentityProvider(
  idp: { readonly url: string; readonly tenantId: string },
  client: { readonly clientId: string; readonly clientSecret: string },
): DevIdentityProviderMsalConfiguration {
  const port = new URL(idp.url).port;
  // Any host works (MSAL never connects to it); the provider's port keeps it recognisable.
  const authorityHost = port === '' ? 'localhost' : `localhost:${port}`;
  return {
    auth: {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      authority: `https://${authorityHost}/${idp.tenantId}`,
      knownAuthorities: [authorityHost],
      cloudDiscoveryMetadata: JSON.stringify({
        tenant_discovery_endpoint: `https://${authorityHost}/${idp.tenantId}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: authorityHost, preferred_cache: authorityHost, aliases: [authorityHost] }],
      }),
      authorityMetadata: JSON.stringify(openIdConfiguration(devIdentityProviderUrls(idp.url, idp.tenantId))),
    },
  };
}
