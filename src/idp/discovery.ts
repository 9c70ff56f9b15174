/**
 * The provider's addresses and its OpenID Connect discovery documents, laid out as Entra lays
 * them out under `https://login.microsoftonline.com/{tenant}`.
 */

export interface DevIdentityProviderUrls {
  /** Origin of the provider, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly tenantId: string;
  /** v2.0 issuer: `${url}/${tenantId}/v2.0`. */
  readonly issuer: string;
  /** v1.0 issuer: `${url}/${tenantId}/`, standing in for `https://sts.windows.net/{tid}/`. */
  readonly v1Issuer: string;
  readonly discoveryUrl: string;
  readonly v1DiscoveryUrl: string;
  readonly jwksUri: string;
  readonly v1JwksUri: string;
  /** The multi-tenant issuer template, `${url}/{tenantid}/v2.0`, as Entra's `common` documents name it. */
  readonly multiTenantIssuer: string;
  /** `${url}/common/discovery/v2.0/keys`: the keys of every tenant, each with the `{tenantid}` issuer template. */
  readonly commonJwksUri: string;
  readonly tokenEndpoint: string;
  readonly authorizationEndpoint: string;
  readonly endSessionEndpoint: string;
}

export function devIdentityProviderUrls(url: string, tenantId: string): DevIdentityProviderUrls {
  const tenantBase = `${url}/${tenantId}`;
  const issuer = `${tenantBase}/v2.0`;
  return {
    url,
    tenantId,
    issuer,
    v1Issuer: `${tenantBase}/`,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    v1DiscoveryUrl: `${tenantBase}/.well-known/openid-configuration`,
    jwksUri: `${tenantBase}/discovery/v2.0/keys`,
    v1JwksUri: `${tenantBase}/discovery/keys`,
    multiTenantIssuer: `${url}/{tenantid}/v2.0`,
    commonJwksUri: `${url}/common/discovery/v2.0/keys`,
    tokenEndpoint: `${tenantBase}/oauth2/v2.0/token`,
    authorizationEndpoint: `${tenantBase}/oauth2/v2.0/authorize`,
    endSessionEndpoint: `${tenantBase}/oauth2/v2.0/logout`,
  };
}

/** The grants the token endpoint implements. */
export const SUPPORTED_GRANT_TYPES = [
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange',
] as const;

export const CLIENT_AUTHENTICATION_METHODS = ['client_secret_post', 'client_secret_basic', 'private_key_jwt'] as const;

/** Algorithms accepted for `private_key_jwt` client assertions. */
export const CLIENT_ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;

/** An OpenID Provider Metadata document (the members the provider publishes). */
export interface OpenIdConfiguration {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint: string;
  jwks_uri: string;
  token_endpoint_auth_methods_supported: string[];
  token_endpoint_auth_signing_alg_values_supported: string[];
  grant_types_supported: string[];
  response_modes_supported: string[];
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  scopes_supported: string[];
  claims_supported: string[];
  request_uri_parameter_supported: boolean;
  tenant_region_scope: string;
  cloud_instance_name: string;
}

function commonMetadata(urls: DevIdentityProviderUrls): Omit<OpenIdConfiguration, 'issuer' | 'jwks_uri' | 'scopes_supported'> {
  return {
    // The authorize and logout endpoints are not implemented (there is no interactive sign-in);
    // they are listed because clients such as MSAL require the members.
    authorization_endpoint: urls.authorizationEndpoint,
    token_endpoint: urls.tokenEndpoint,
    end_session_endpoint: urls.endSessionEndpoint,
    token_endpoint_auth_methods_supported: [...CLIENT_AUTHENTICATION_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
    grant_types_supported: [...SUPPORTED_GRANT_TYPES],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'oid', 'tid', 'ver', 'name', 'preferred_username'],
    request_uri_parameter_supported: false,
    tenant_region_scope: 'WW',
    cloud_instance_name: 'meshgate.dev',
  };
}

/** `GET /{tenant}/v2.0/.well-known/openid-configuration`. */
export function openIdConfiguration(urls: DevIdentityProviderUrls): OpenIdConfiguration {
  return {
    ...commonMetadata(urls),
    issuer: urls.issuer,
    jwks_uri: urls.jwksUri,
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
  };
}

/**
 * `GET /{tenant}/.well-known/openid-configuration`: the v1.0 document, read by verifiers of
 * v1 tokens (issuer `${url}/${tenant}/`). Entra lists its v1 token endpoint here; the dev
 * provider has one token endpoint, so it lists that.
 */
export function v1OpenIdConfiguration(urls: DevIdentityProviderUrls): OpenIdConfiguration {
  return {
    ...commonMetadata(urls),
    issuer: urls.v1Issuer,
    jwks_uri: urls.v1JwksUri,
    scopes_supported: ['openid'],
  };
}
