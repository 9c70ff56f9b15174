import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { AuthenticationError } from './authentication-error.js';
import { IssuerKeys, type Every, type IssuerKey, type KeysRefreshFailure } from './issuer-keys.js';
import { IssuerPolicy, isTenantId, UNTRUSTED_ISSUER } from './issuer-policy.js';
import { hashToken, principalFromClaims, type Principal } from './principal.js';
import { SigningKeysUnavailableError } from './signing-keys-unavailable-error.js';

/** Options of `createEntraVerifier`. */
export interface EntraVerifierOptions {
  /** Accepted issuers; `{tenantid}` in an issuer is a multi-tenant template. */
  readonly issuers: readonly { issuer: string; jwksUri?: string | undefined }[];
  /** Accepted `aud` values (GUID and `api://` forms). */
  readonly audiences: readonly string[];
  /** Allowed tenants (GUIDs); required for templated issuers, and enforced for all issuers when set. */
  readonly tenants?: readonly string[] | undefined;
  /** Tolerance for `exp`, `nbf` and `iat`. Default 60 s. */
  readonly clockSkewMs?: number;
  /** Longest token accepted; a longer one is refused before anything is decoded. Default 16,384. */
  readonly maxTokenBytes?: number;
  /** Used for discovery and JWKS requests. Default: global fetch. */
  readonly fetch?: typeof fetch;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Least time between unknown-`kid` refreshes per issuer. Default 30 s. */
  readonly jwksCooldownMs?: number;
  /** Background refresh of every issuer's keys, started by `ready()`. Default 1 h. */
  readonly jwksRefreshIntervalMs?: number;
  /** How long the last good keys keep serving while refreshes fail; then they are dropped. Default 24 h. */
  readonly jwksMaxStaleMs?: number;
  /** Scheduler of the background refresh. Default: an unref'd `setInterval`. */
  readonly every?: Every;
  /** Told about every failed key refresh (for the log). Default: nothing. */
  readonly onKeysRefreshFailed?: (failure: KeysRefreshFailure) => void;
  /** Verified tokens remembered (by SHA-256 of the token) until they expire. Default 10,000. */
  readonly cacheSize?: number;
}

/** Verifies Entra access tokens; see `createEntraVerifier`. */
export interface EntraVerifier {
  /**
   * Resolves the principal of a valid token. Throws `AuthenticationError` for a token that is
   * not valid, `SigningKeysUnavailableError` when an issuer has no usable keys to decide with.
   */
  verify(token: string): Promise<Principal>;
  /** Loads every issuer's keys and starts their background refresh; rejects if one cannot be loaded. */
  ready(): Promise<void>;
  /** True once every issuer's keys were loaded. */
  readonly isReady: boolean;
  /** Stops background refreshes. */
  close(): void;
}

const REFUSED_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'] as const;

/** One configured issuer: its keys and what it accepts. */
interface TrustedIssuer {
  readonly keys: IssuerKeys;
  readonly policy: IssuerPolicy;
}

/** A verified token, remembered with the key that verified it. */
interface Verified {
  readonly principal: Principal;
  readonly keys: IssuerKeys;
  readonly kid: string;
  readonly key: IssuerKey;
}

/**
 * Verifies Microsoft Entra ID access tokens (v1 and v2) with RS256 keys from each issuer's
 * JWKS, per RFC 8725 and Microsoft's "Access tokens" / "Claims validation" guidance:
 *
 * - only the protected header is decoded before the signature is checked; `alg` must be RS256,
 *   and a header with `jku`, `jwk`, `x5u` or `x5c` is refused (keys come from the configured
 *   issuers alone); the key is chosen by `kid`;
 * - `exp` and `iat` are required; `exp`, `nbf` and `iat` are checked with `clockSkewMs`;
 * - `aud` is one of `audiences`; `iss`, `tid`, `ver` and the key's issuer fit the issuer whose
 *   key verified the signature (see `IssuerPolicy`).
 *
 * @example
 * const verifier = createEntraVerifier({ issuers: [{ issuer }], audiences: ['api://meshgate'] });
 * await verifier.ready();
 * const principal = await verifier.verify(token);
 * verifier.close();
 */
export function createEntraVerifier(options: EntraVerifierOptions): EntraVerifier {
  const settings = normalize(options);
  const { now, skewSeconds, maxTokenBytes } = settings;
  const tenants = settings.tenants ? new Set(settings.tenants) : undefined;
  const trusted: TrustedIssuer[] = options.issuers.map((i) => ({
    policy: new IssuerPolicy(i.issuer, tenants),
    keys: new IssuerKeys({
      issuer: i.issuer,
      jwksUri: i.jwksUri,
      now,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.jwksCooldownMs !== undefined ? { cooldownMs: options.jwksCooldownMs } : {}),
      ...(options.jwksRefreshIntervalMs !== undefined ? { refreshIntervalMs: options.jwksRefreshIntervalMs } : {}),
      ...(options.jwksMaxStaleMs !== undefined ? { maxStaleMs: options.jwksMaxStaleMs } : {}),
      ...(options.every ? { every: options.every } : {}),
      ...(options.onKeysRefreshFailed ? { onRefreshError: options.onKeysRefreshFailed } : {}),
    }),
  }));
  const retryAfterSeconds = Math.max(1, Math.ceil((options.jwksCooldownMs ?? 30_000) / 1000));
  const audiences = [...options.audiences];
  const verified = new LRUCache<string, Verified>({ max: settings.cacheSize });

  async function candidatesFor(kid: string): Promise<{ issuer: TrustedIssuer; key: IssuerKey }[]> {
    const lookup = () => trusted.flatMap((issuer) => {
      const key = issuer.keys.get(kid);
      return key ? [{ issuer, key }] : [];
    });
    let found = lookup();
    if (found.length === 0) {
      // A kid we do not know: a key rolled in since the last refresh, or a made-up one.
      await Promise.all(trusted.map((t) => t.keys.refreshForUnknownKid()));
      found = lookup();
    }
    if (found.length === 0 && trusted.some((t) => !t.keys.usable)) throw new SigningKeysUnavailableError(retryAfterSeconds);
    return found;
  }

  async function verifyUncached(token: string, tokenHash: string): Promise<Verified> {
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new AuthenticationError('invalid_token', 'malformed token');
    }
    if (header.alg !== 'RS256') throw new AuthenticationError('invalid_token', 'unsupported algorithm');
    if (REFUSED_HEADERS.some((name) => name in header)) throw new AuthenticationError('invalid_token', 'unsupported key reference');
    const kid = header.kid;
    if (typeof kid !== 'string' || kid === '') throw new AuthenticationError('invalid_token', 'token has no key id');
    const candidates = await candidatesFor(kid);
    if (candidates.length === 0) throw new AuthenticationError('invalid_token', 'unknown signing key');
    let failure: AuthenticationError | undefined;
    // Several issuers may publish the same key (Entra's v1 and v2 documents do): the token
    // must fit the issuer of one of them.
    for (const { issuer, key } of candidates) {
      try {
        const { payload } = await jwtVerify(token, key.key, {
          algorithms: ['RS256'],
          audience: audiences,
          clockTolerance: skewSeconds,
          currentDate: new Date(now()),
          requiredClaims: ['exp', 'iat'],
        });
        if (typeof payload.iat === 'number' && payload.iat > now() / 1000 + skewSeconds) {
          throw new AuthenticationError('invalid_token', 'token issued in the future');
        }
        const reason = issuer.policy.reject(payload, key.issuer);
        if (reason !== undefined) throw new AuthenticationError('invalid_token', reason);
        return { principal: principalFromClaims(payload, token, tokenHash), keys: issuer.keys, kid, key };
      } catch (error) {
        const next = toAuthenticationError(error);
        // "Not this issuer" says least: keep a more specific reason from another candidate.
        if (!failure || next.message !== UNTRUSTED_ISSUER) failure = next;
      }
    }
    throw failure ?? new AuthenticationError('invalid_token', 'invalid token');
  }

  return {
    close() {
      for (const t of trusted) t.keys.close();
    },
    get isReady() {
      return trusted.every((t) => t.keys.loaded);
    },
    async ready() {
      for (const t of trusted) t.keys.start();
      await Promise.all(trusted.map((t) => (t.keys.loaded ? undefined : t.keys.refresh())));
    },
    async verify(token) {
      if (Buffer.byteLength(token) > maxTokenBytes) throw new AuthenticationError('invalid_request', 'token too large', 400);
      // Keyed by a hash, not the token: the cache must not become a store of live tokens.
      const hash = hashToken(token);
      const cached = verified.get(hash);
      // A remembered token stays valid only while its key does (rotated out, or dropped past maxStale: no).
      if (cached && cached.principal.expiresAt + skewSeconds * 1000 > now() && cached.keys.get(cached.kid) === cached.key) {
        return cached.principal;
      }
      if (cached) verified.delete(hash);
      const result = await verifyUncached(token, hash);
      verified.set(hash, result);
      return result.principal;
    },
  };
}

function normalize(options: EntraVerifierOptions) {
  const fail = (message: string): never => {
    throw new TypeError(`createEntraVerifier: ${message}`);
  };
  if (options.issuers.length === 0) fail('at least one issuer is required');
  options.issuers.forEach((i, n) => {
    if (typeof i.issuer !== 'string' || i.issuer === '') fail(`issuers[${n}].issuer must be a non-empty string`);
  });
  if (options.audiences.length === 0) fail('at least one audience is required');
  const tenants = options.tenants?.map((t, n) => (isTenantId(t) ? t.toLowerCase() : fail(`tenants[${n}] must be a tenant id (a GUID)`)));
  if (options.issuers.some((i) => i.issuer.includes('{tenantid}')) && !tenants?.length) fail('tenants is required when an issuer contains {tenantid}');
  const clockSkewMs = options.clockSkewMs ?? 60_000;
  if (!Number.isFinite(clockSkewMs) || clockSkewMs < 0) fail('clockSkewMs must be a number of milliseconds, at least 0');
  const maxTokenBytes = options.maxTokenBytes ?? 16_384;
  if (!Number.isInteger(maxTokenBytes) || maxTokenBytes < 1) fail('maxTokenBytes must be a positive integer');
  const cacheSize = options.cacheSize ?? 10_000;
  if (!Number.isInteger(cacheSize) || cacheSize < 1) fail('cacheSize must be a positive integer');
  const refreshIntervalMs = options.jwksRefreshIntervalMs ?? 3_600_000;
  if ((options.jwksMaxStaleMs ?? 86_400_000) < refreshIntervalMs) fail('jwksMaxStaleMs must be at least jwksRefreshIntervalMs');
  return { now: options.now ?? Date.now, skewSeconds: Math.floor(clockSkewMs / 1000), maxTokenBytes, tenants, cacheSize };
}

function toAuthenticationError(error: unknown): AuthenticationError {
  if (error instanceof AuthenticationError) return error;
  if (error instanceof joseErrors.JWTExpired) return new AuthenticationError('invalid_token', 'token expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    const missing: Record<string, string> = { exp: 'token has no expiry', iat: 'token has no issue time' };
    if (error.reason === 'missing' && missing[error.claim]) return new AuthenticationError('invalid_token', missing[error.claim]!);
    const failed: Record<string, string> = { nbf: 'token not yet valid', aud: 'wrong audience' };
    const reason = error.reason === 'check_failed' || error.claim === 'aud' ? failed[error.claim] : undefined;
    return new AuthenticationError('invalid_token', reason ?? 'invalid claims');
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new AuthenticationError('invalid_token', 'invalid signature');
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new AuthenticationError('invalid_token', 'unsupported algorithm');
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid) return new AuthenticationError('invalid_token', 'malformed token');
  return new AuthenticationError('invalid_token', 'invalid token');
}
