import { createHash } from 'node:crypto';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { SubgraphAuthOptions } from './types.js';

/** Who called, as the subgraph's own token says. */
export interface Caller {
  /** Object id of the person (or, in app-only tokens, of the client's service principal). */
  readonly oid?: string;
  readonly tid?: string;
  /** The client that got the token: `azp` (v2.0) or `appid` (v1.0). */
  readonly clientId: string;
  /** True for app-only tokens (client credentials): no person behind the call. */
  readonly isApp: boolean;
  /** `scp` split on spaces, together with `roles`. */
  readonly scopes: ReadonlySet<string>;
}

/** What the audience check adds to the GraphQL context. */
export interface CallerContext {
  caller?: Caller;
}

/** Options of {@link useRequireAudience}: the subgraph's auth options, plus test seams. */
export interface RequireAudienceOptions extends SubgraphAuthOptions {
  /** Allowed clock skew for `exp`/`nbf`/`iat`, in seconds. Default 60. */
  clockTolerance?: number;
  /** Key lookup. Default: the remote JWKS at `jwksUri` (fetched on demand and cached by jose). */
  keys?: JWTVerifyGetKey;
  /** Clock in ms, for `exp`/`nbf` and the verified-token cache. Default `Date.now`. */
  now?: () => number;
  /**
   * Verified tokens remembered (by SHA-256 of the token, per plugin instance, least recently
   * used dropped first) until they expire, so a token sent again is not verified again. A
   * remembered token is not checked against the key set again: a signing key withdrawn from
   * the JWKS still admits its cached tokens until they expire (Entra tokens live about an hour).
   * Default 10,000; 0 disables the cache.
   */
  verifiedTokenCacheSize?: number;
}


/** Tokens larger than this are refused before any parsing (Entra tokens are a few KB). */
const MAX_TOKEN_BYTES = 16_384;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * A yoga plugin that lets a GraphQL request through only with a valid Entra-shaped access
 * token for this subgraph's own audience (RS256, issuer, audience, exp/nbf with skew), and puts
 * the {@link Caller} in the context. Anything else is answered with HTTP 401 before the
 * operation is parsed. The token itself is never echoed.
 *
 * @example
 * createYoga({ schema, plugins: [useRequireAudience({ issuer, jwksUri, audiences: ['api://orders'] })] });
 */
export function useRequireAudience(options: RequireAudienceOptions): Plugin<CallerContext> {
  const { issuer, audiences, clockTolerance, verifiedTokenCacheSize } = normalizeAuthOptions(options);
  const keys = options.keys ?? createRemoteJWKSet(new URL(options.jwksUri));
  const now = options.now ?? Date.now;
  // Per instance: issuer, audiences and tolerance are fixed here, so a hit means the same checks passed.
  const verified = verifiedTokenCacheSize > 0 ? new VerifiedTokens(verifiedTokenCacheSize, clockTolerance) : undefined;
  // The Request object is the one key shared by the parse hook and the context hook.
  const callers = new WeakMap<Request, Caller>();

  return {
    async onRequestParse({ request, endResponse, fetchAPI }) {
      const header = request.headers.get('authorization');
      if (header === null) {
        endResponse(refusal(fetchAPI, 401, 'Bearer', 'An access token for this API is required.'));
        return;
      }
      const token = BEARER.exec(header)?.[1];
      if (token === undefined) {
        endResponse(refusal(fetchAPI, 401, 'Bearer error="invalid_request"', 'The Authorization header must be "Bearer <access token>".'));
        return;
      }
      if (token.length > MAX_TOKEN_BYTES) {
        endResponse(refusal(fetchAPI, 401, 'Bearer error="invalid_token"', 'Invalid access token: too large.'));
        return;
      }
      const hash = verified ? hashToken(token) : undefined;
      const remembered = hash === undefined ? undefined : verified?.callerAt(hash, now());
      if (remembered) {
        callers.set(request, remembered);
        return;
      }
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer,
          audience: audiences,
          algorithms: ['RS256'],
          clockTolerance,
          currentDate: new Date(now()),
        });
        const caller = toCaller(payload);
        callers.set(request, caller);
        if (hash !== undefined) verified?.remember(hash, payload, caller);
      } catch (error) {
        if (keysUnavailable(error)) {
          endResponse(refusal(fetchAPI, 503, undefined, 'Cannot verify access tokens right now: the signing keys are unavailable.', 'SERVICE_UNAVAILABLE'));
        } else {
          endResponse(refusal(fetchAPI, 401, 'Bearer error="invalid_token"', `Invalid access token: ${reason(error)}.`));
        }
      }
    },
    onContextBuilding({ context, extendContext }) {
      const caller = callers.get(context.request);
      // Fail closed: a request that got here without a verified caller is refused.
      if (!caller) {
        throw createGraphQLError('An access token for this API is required.', {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } },
        });
      }
      extendContext({ caller });
    },
  };
}

/** Checks auth options once, naming the bad one. */
export function normalizeAuthOptions(options: RequireAudienceOptions): {
  issuer: string | string[];
  audiences: string[];
  clockTolerance: number;
  verifiedTokenCacheSize: number;
} {
  const issuers = Array.isArray(options.issuer) ? options.issuer : [options.issuer];
  if (issuers.length === 0 || !issuers.every((value) => typeof value === 'string' && value.length > 0)) {
    throw new TypeError('auth.issuer must be a non-empty string or a non-empty list of them');
  }
  let jwksUrl: URL | undefined;
  try {
    jwksUrl = new URL(options.jwksUri);
  } catch {
    jwksUrl = undefined;
  }
  if (!jwksUrl || (jwksUrl.protocol !== 'https:' && jwksUrl.protocol !== 'http:')) {
    throw new TypeError('auth.jwksUri must be an absolute http(s) URL');
  }
  const audiences = [...(options.audiences ?? [])];
  if (audiences.length === 0 || !audiences.every((value) => typeof value === 'string' && value.length > 0)) {
    throw new TypeError('auth.audiences must list at least one audience (the client id and/or the api:// URI)');
  }
  const clockTolerance = options.clockTolerance ?? 60;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0) {
    throw new TypeError('auth.clockTolerance must be a number of seconds >= 0');
  }
  const verifiedTokenCacheSize = options.verifiedTokenCacheSize ?? 10_000;
  if (!Number.isSafeInteger(verifiedTokenCacheSize) || verifiedTokenCacheSize < 0) {
    throw new TypeError('auth.verifiedTokenCacheSize must be an integer >= 0 (0 disables the cache)');
  }
  return { issuer: [...issuers], audiences, clockTolerance, verifiedTokenCacheSize };
}

/** SHA-256 (base64url) of a token: what the cache keys on, so it never holds live tokens. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A verified token's caller, and the instants (ms) between which jwtVerify accepts the token. */
interface VerifiedToken {
  readonly caller: Caller;
  /** First instant jwtVerify accepts it (`nbf` - tolerance); -Infinity without `nbf`. */
  readonly validFrom: number;
  /** First instant jwtVerify refuses it (`exp` + tolerance). */
  readonly validUntil: number;
}

/**
 * Callers of the tokens jwtVerify accepted, by token hash, least recently used dropped first.
 * An entry serves only inside the window in which jwtVerify would accept the token at that
 * instant. jose compares whole seconds, `t = floor(now / 1000)`: it accepts while
 * `t < exp + tolerance`, which `now < (exp + tolerance) * 1000` never outlasts, and from
 * `t >= nbf - tolerance`, which is `now >= ceil(nbf - tolerance) * 1000`.
 */
class VerifiedTokens {
  readonly #entries: LRUCache<string, VerifiedToken>;
  readonly #clockTolerance: number;

  constructor(max: number, clockTolerance: number) {
    this.#entries = new LRUCache({ max });
    this.#clockTolerance = clockTolerance;
  }

  /** The caller of a token verified before, if jwtVerify would still accept it at `at`. */
  callerAt(hash: string, at: number): Caller | undefined {
    const entry = this.#entries.get(hash);
    if (entry === undefined) return undefined;
    if (at >= entry.validFrom && at < entry.validUntil) return entry.caller;
    // Outside its window: verified again, so the caller gets jwtVerify's own answer.
    this.#entries.delete(hash);
    return undefined;
  }

  remember(hash: string, payload: JWTPayload, caller: Caller): void {
    // Without exp a token would never leave the cache: it is verified every time instead.
    if (payload.exp === undefined) return;
    const tolerance = this.#clockTolerance;
    this.#entries.set(hash, {
      caller,
      validFrom: payload.nbf === undefined ? -Infinity : Math.ceil(payload.nbf - tolerance) * 1000,
      validUntil: (payload.exp + tolerance) * 1000,
    });
  }
}

function toCaller(payload: JWTPayload): Caller {
  const clientId = stringClaim(payload, 'azp') ?? stringClaim(payload, 'appid');
  if (clientId === undefined) throw new errors.JWTClaimValidationFailed('missing azp/appid', payload, 'azp');
  const scp = stringClaim(payload, 'scp');
  const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((role): role is string => typeof role === 'string') : [];
  const scopes = new Set([...(scp ?? '').split(' ').filter((scope) => scope.length > 0), ...roles]);
  const oid = stringClaim(payload, 'oid');
  const tid = stringClaim(payload, 'tid');
  return {
    ...(oid !== undefined && { oid }),
    ...(tid !== undefined && { tid }),
    clientId,
    // Entra marks app-only tokens with idtyp=app (optional claim); they never carry scp.
    isApp: stringClaim(payload, 'idtyp') === 'app' || scp === undefined,
    scopes,
  };
}

function stringClaim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' ? value : undefined;
}

// The key set could not be fetched or read: the caller is not at fault (503, not 401).
function keysUnavailable(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === 'ERR_JOSE_GENERIC';
}

// A short reason for the caller; never the token or its claims.
function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'not issued for this API (audience)';
    if (error.claim === 'iss') return 'issuer not accepted';
    if (error.claim === 'nbf') return 'not yet valid';
    if (error.claim === 'azp') return 'no client id (azp/appid)';
    return `claim ${error.claim} rejected`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not accepted';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) return 'signature not verified';
  return 'malformed';
}

function refusal(
  fetchAPI: { Response: typeof Response },
  status: 401 | 503,
  challenge: string | undefined,
  message: string,
  code: 'UNAUTHENTICATED' | 'SERVICE_UNAVAILABLE' = 'UNAUTHENTICATED',
): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (challenge !== undefined) headers['www-authenticate'] = challenge;
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), { status, headers });
}
