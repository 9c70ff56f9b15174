import type { TokenVersion } from './claims.js';
import type { DevApp } from './demo-directory.js';
import type { DevIdentityProviderUrls } from './discovery.js';
import type { IssuedAccessToken, TokenIssuer } from './token-issuer.js';
import type { SigningKeySet } from './signing-keys.js';
import type { TenantDirectory } from './tenant-directory.js';

/** What every grant works with: the tenant's directory, its keys and the token issuer. */
export interface GrantContext {
  readonly tenantId: string;
  readonly urls: DevIdentityProviderUrls;
  readonly directory: TenantDirectory;
  readonly keys: SigningKeySet;
  readonly tokens: TokenIssuer;
  readonly now: () => number;
}

/** A successful token response (Entra v2 members, plus RFC 8693's for token exchange). */
export interface TokenResponseBody {
  token_type: 'Bearer';
  scope?: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  issued_token_type?: string;
}

export function tokenResponseBody(issued: IssuedAccessToken, scope: string | undefined): TokenResponseBody {
  return {
    token_type: 'Bearer',
    ...(scope === undefined || scope === '' ? {} : { scope }),
    expires_in: issued.expiresIn,
    ext_expires_in: issued.expiresIn,
    access_token: issued.accessToken,
  };
}

/** The token version a resource accepts (its `accessTokenVersion`, default 2.0). */
export function resourceTokenVersion(resource: DevApp): TokenVersion {
  return resource.accessTokenVersion ?? '2.0';
}

/** Entra's `aud`: the resource's client id in v2 tokens, its Application ID URI in v1 tokens. */
export function resourceAudience(resource: DevApp, version: TokenVersion): string {
  return version === '2.0' ? resource.clientId : (resource.appIdUri ?? resource.clientId);
}
