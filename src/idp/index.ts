/**
 * The dev identity provider: an Entra-shaped OAuth 2.0 / OpenID Connect provider on loopback,
 * for `npm start`, the CLI and the tests. Never loaded by `meshgate serve` unless configured.
 */
export { startDevIdentityProvider } from './dev-identity-provider.js';
export type { DevIdentityProvider, DevIdentityProviderStats } from './dev-identity-provider.js';
export type { DevIdentityProviderOptions } from './provider-options.js';
export type { MintOptions } from './mint.js';
export { DevIdentityProviderOptionError } from './option-error.js';
export { DEMO_AGENT_ROLES, DEMO_APPS, DEMO_SCOPES, DEMO_TENANT_ID, DEMO_USERS } from './demo-directory.js';
export type { DevApp, DevUser } from './demo-directory.js';
export { servicePrincipalObjectId } from './identifiers.js';
export { MFA_CLAIMS_CHALLENGE } from './conditional-access.js';
export { ACCESS_TOKEN_TYPE } from './token-exchange-grant.js';
export { devIdentityProviderUrls, openIdConfiguration, v1OpenIdConfiguration } from './discovery.js';
export type { DevIdentityProviderUrls, OpenIdConfiguration } from './discovery.js';
export type { EntraErrorBody, EntraErrorName } from './entra-errors.js';
export type { TokenResponseBody } from './grant-context.js';
export type { DevTokenResponseBody } from './dev-token-endpoint.js';
export type { JsonWebKeySet, PublishedJwk, SigningAlgorithm } from './signing-keys.js';
export type { TokenVersion } from './claims.js';
export { msalConfigForDevIdentityProvider } from './msal-recipe.js';
export type { DevIdentityProviderMsalConfiguration } from './msal-recipe.js';
