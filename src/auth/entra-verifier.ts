import { createHash } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { AuthenticationError } from './authentication-error.js';
import { IssuerKeys } from './issuer-keys.js';
import { principalFromClaims, type Principal } from './principal.js';

/** Options of `createEntraVerifier`. */
export interface EntraVerifierOptions {
  /** Accepted issuers; `{tenantid}` in an issuer is a multi-tenant template. */
  readonly issuers: readonly { issuer: string; jwksUri?: string | undefined }[];
  /** Accepted `aud` values (GUID and `api://` forms). */
  readonly audiences: readonly string[];
  /** Allowed tenants; required for templated issuers, and enforced for all issuers when set. */
  readonly tenants?: readonly string[] | undefined;
  /** Tolerance for `exp`, `nbf` and `iat`. Default 60 s. */
  readonly clockSkewMs?: number;
  readonly maxTokenBytes?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  /** Least time between unknown-`kid` refreshes per issuer. Default 30 s. */
  readonly jwksCooldownMs?: number;
  /** Background refresh of every issuer's keys (not implemented yet). Default 1 h. */
  readonly jwksRefreshIntervalMs?: number;
  /** How long the last good keys keep serving while refreshes fail (not implemented yet). Default 24 h. */
  readonly jwksMaxStaleMs?: number;
  /** Verified tokens remembered (by SHA-256 of the token) until they expire. Default 10,000. */
  readonly cacheSize?: number;
}

/** Verifies Entra access tokens; see `createEntraVerifier`. */
export interface EntraVerifier {
  /** Resolves the principal of a valid token; throws `AuthenticationError` otherwise. */
  verify(token: string): Promise<Principal>;
  /** Loads every issuer's keys; rejects if one cannot be loaded. */
  ready(): Promise<void>;
  /** True once every issuer's keys were loaded. */
  readonly isReady: boolean;
  /** Stops background refreshes. */
  close(): void;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REFUSED_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'] as const;

/**
 * Verifies Microsoft Entra ID access tokens (v1 and v2) with RS256 keys from each issuer's
 * JWKS. Only the protected header is read before the signature is checked; the key is chosen
 * by `kid` among the configured issuers' keys, and the token's `iss` must be the issuer those
 * keys belong to.
 *
 * @example
 * const verifier = createEntraVerifier({ issuers: [{ issuer }], audiences: ['api://meshgate'] });
 * await verifier.ready();
 * const principal = await verifier.verify(token);
 */
export function createEntraVerifier(options: EntraVerifierOptions): EntraVerifier {
  if (options.issuers.length === 0) throw new TypeError('createEntraVerifier: at least one issuer is required');
  if (options.audiences.length === 0) throw new TypeError('createEntraVerifier: at least one audience is required');
  const now = options.now ?? Date.now;
  const skewSeconds = Math.floor((options.clockSkewMs ?? 60_000) / 1000);
  const maxTokenBytes = options.maxTokenBytes ?? 16_384;
  const tenants = options.tenants ? new Set(options.tenants.map((t) => t.toLowerCase())) : undefined;
  const keySets = options.issuers.map(
    (i) =>
      new IssuerKeys({
        issuer: i.issuer,
        jwksUri: i.jwksUri,
        now,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.jwksCooldownMs !== undefined ? { cooldownMs: options.jwksCooldownMs } : {}),
      }),
  );
  const audiences = [...options.audiences];
  const verified = new LRUCache<string, Principal>({ max: options.cacheSize ?? 10_000 });

  function issuerMatches(keys: IssuerKeys, claims: JWTPayload): boolean {
    const tid = typeof claims['tid'] === 'string' ? claims['tid'] : '';
    if (tenants && !tenants.has(tid.toLowerCase())) return false;
    if (!keys.issuer.includes('{tenantid}')) return claims.iss === keys.issuer;
    return GUID.test(tid) && claims.iss === keys.issuer.replace('{tenantid}', tid);
  }

  async function keySetsFor(kid: string): Promise<IssuerKeys[]> {
    let found = keySets.filter((k) => k.get(kid));
    if (found.length === 0) {
      await Promise.all(keySets.map((k) => k.refreshForUnknownKid()));
      found = keySets.filter((k) => k.get(kid));
    }
    return found;
  }

  async function verifyUncached(token: string): Promise<Principal> {
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new AuthenticationError('invalid_token', 'malformed token');
    }
    if (header.alg !== 'RS256') throw new AuthenticationError('invalid_token', 'unsupported algorithm');
    if (REFUSED_HEADERS.some((name) => name in header)) throw new AuthenticationError('invalid_token', 'unsupported key reference');
    if (typeof header.kid !== 'string' || header.kid === '') throw new AuthenticationError('invalid_token', 'token has no key id');
    const candidates = await keySetsFor(header.kid);
    if (candidates.length === 0) throw new AuthenticationError('invalid_token', 'unknown signing key');
    let lastError: unknown;
    for (const keys of candidates) {
      try {
        const { payload } = await jwtVerify(token, keys.get(header.kid) as CryptoKey, {
          algorithms: ['RS256'],
          audience: audiences,
          clockTolerance: skewSeconds,
          currentDate: new Date(now()),
          requiredClaims: ['exp'],
        });
        if (typeof payload.iat === 'number' && payload.iat > now() / 1000 + skewSeconds) {
          throw new AuthenticationError('invalid_token', 'token issued in the future');
        }
        if (!issuerMatches(keys, payload)) throw new AuthenticationError('invalid_token', 'untrusted issuer or tenant');
        return principalFromClaims(payload, token);
      } catch (error) {
        lastError = error;
      }
    }
    throw toAuthenticationError(lastError);
  }

  return {
    close() {},
    get isReady() {
      return keySets.every((k) => k.loaded);
    },
    async ready() {
      await Promise.all(keySets.map((k) => (k.loaded ? undefined : k.refresh())));
    },
    async verify(token) {
      if (token.length > maxTokenBytes) throw new AuthenticationError('invalid_request', 'token too large', 400);
      // Keyed by a hash, not the token: the cache must not become a store of live tokens.
      const key = createHash('sha256').update(token).digest('base64url');
      const cached = verified.get(key);
      if (cached && cached.expiresAt + skewSeconds * 1000 > now()) return cached;
      const principal = await verifyUncached(token);
      verified.set(key, principal);
      return principal;
    },
  };
}

function toAuthenticationError(error: unknown): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  if (error instanceof joseErrors.JWTExpired) return new AuthenticationError('invalid_token', 'token expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    const reasons: Record<string, string> = { nbf: 'token not yet valid', aud: 'wrong audience', exp: 'token has no expiry' };
    return new AuthenticationError('invalid_token', reasons[error.claim] ?? 'invalid claims');
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new AuthenticationError('invalid_token', 'invalid signature');
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new AuthenticationError('invalid_token', 'unsupported algorithm');
  return new AuthenticationError('invalid_token', 'invalid token');
}
