import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';

/**
 * Who is calling, as proven by a verified Entra access token. Built once per request by the
 * authentication plugin; authorization and token exchange read it from the GraphQL context.
 *
 * `token` is the caller's raw access token (the subject of token exchange). It is a
 * non-enumerable property so that logging or serializing a principal never prints it.
 */
export interface Principal {
  readonly tenantId: string;
  readonly objectId: string;
  readonly subject: string;
  /** The client the caller used: `azp` (v2) or `appid` (v1). */
  readonly clientId: string;
  /** `scp` split on spaces ∪ `roles`. */
  readonly scopes: ReadonlySet<string>;
  /** An app acting as itself (client credentials): no person to act on behalf of. */
  readonly isApp: boolean;
  readonly issuer: string;
  /** `exp` in milliseconds since the epoch. */
  readonly expiresAt: number;
  readonly token: string;
  /**
   * SHA-256 (base64url) of `token`, computed once at verification: what caches key on, so no
   * cache holds live tokens and no request hashes the same token twice.
   */
  readonly tokenHash: string;
}

/** The hash `Principal.tokenHash` holds. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Builds the principal from claims that jose has already verified. */
export function principalFromClaims(claims: JWTPayload, token: string, tokenHash = hashToken(token)): Principal {
  const scp = typeof claims['scp'] === 'string' ? claims['scp'].split(' ').filter(Boolean) : [];
  const roles = Array.isArray(claims['roles']) ? claims['roles'].filter((r): r is string => typeof r === 'string') : [];
  const isApp = claims['idtyp'] === 'app' || (scp.length === 0 && roles.length > 0);
  const principal = {
    tenantId: stringClaim(claims, 'tid'),
    objectId: stringClaim(claims, 'oid'),
    subject: claims.sub ?? '',
    clientId: stringClaim(claims, 'azp') || stringClaim(claims, 'appid'),
    scopes: new Set([...scp, ...roles]),
    isApp,
    issuer: claims.iss ?? '',
    expiresAt: (claims.exp ?? 0) * 1000,
  };
  Object.defineProperty(principal, 'token', { value: token, enumerable: false });
  Object.defineProperty(principal, 'tokenHash', { value: tokenHash, enumerable: false });
  return principal as unknown as Principal;
}

function stringClaim(claims: JWTPayload, name: string): string {
  const value = claims[name];
  return typeof value === 'string' ? value : '';
}
