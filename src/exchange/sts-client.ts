import { readBoundedText } from '../util/read-bounded.js';
import type { ClientAuthentication } from './client-authentication.js';

/** A successful token response, reduced to what the gateway uses. */
export interface IssuedToken {
  readonly accessToken: string;
  /** Lifetime in milliseconds, from `expires_in`. */
  readonly expiresInMs: number;
}

/** An STS error response (RFC 6749 §5.2), reduced to what may be acted on. */
export class StsError extends Error {
  constructor(
    readonly status: number,
    readonly error: string | undefined,
    /** Conditional-access claims challenge (Entra `claims` member), when present. */
    readonly claims: string | undefined,
    /** AADSTS code from the description, for logs; the description itself is not kept. */
    readonly stsCode: string | undefined,
  ) {
    super(error ? `STS answered ${status} ${error}` : `STS answered ${status}`);
    this.name = 'StsError';
  }
}

/** The STS answered, but not with a usable token response (not JSON, fields missing or wrong). */
export class StsResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StsResponseError';
  }
}

const MAX_RESPONSE_BYTES = 64 * 1024;
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;
/** Printable ASCII without spaces: what can travel in an Authorization header. */
const TOKEN_CHARACTERS = /^[\x21-\x7e]{1,16384}$/;
const MAX_CLAIMS_CHARS = 4096;
/** No token is reused longer than a day, whatever the STS said. */
const MAX_LIFETIME_SECONDS = 86_400;

/** Options of `requestToken`. */
export interface TokenRequestOptions {
  readonly fetch: typeof fetch;
  /** Covers the whole exchange: connecting, waiting, reading the body. */
  readonly timeoutMs: number;
  /** Clock (ms), for client assertion times. */
  readonly now: number;
  /** RFC 8693 §2.2.1: the response must then say `issued_token_type` = access token. */
  readonly expectTokenExchange?: boolean;
}

/**
 * POSTs one token request (form-encoded) with the client's authentication and returns the
 * issued token. Throws `StsError` for an OAuth error answer, `StsResponseError` for a broken
 * one (not JSON, missing fields) and the fetch's own error for a timeout (`TimeoutError`) or
 * a network failure; none of them ever contains a token, secret, assertion or the STS's
 * `error_description`.
 */
export async function requestToken(
  tokenEndpoint: string,
  client: ClientAuthentication,
  form: Record<string, string>,
  options: TokenRequestOptions,
): Promise<IssuedToken> {
  const body = new URLSearchParams(form);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  await client.apply({ body, headers, tokenEndpoint, now: options.now });
  // One signal for the request and the body: a slow-dripping STS times out too.
  const response = await options.fetch(tokenEndpoint, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs),
    redirect: 'error',
  });
  const text = await readBoundedText(response, MAX_RESPONSE_BYTES);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
    if (json === null || typeof json !== 'object') throw new Error('not an object');
  } catch {
    if (!response.ok) throw new StsError(response.status, undefined, undefined, undefined);
    throw new StsResponseError(`STS answered ${response.status} with a body that is not JSON`);
  }
  if (!response.ok || json['error'] !== undefined) {
    const description = typeof json['error_description'] === 'string' ? json['error_description'] : '';
    const error = json['error'];
    throw new StsError(
      response.status,
      // RFC 6749 §5.2 error codes are short ASCII words; anything else is not passed on.
      typeof error === 'string' && ERROR_CODE.test(error) ? error : undefined,
      claimsChallenge(json['claims']),
      /AADSTS\d{1,9}/.exec(description)?.[0],
    );
  }
  const accessToken = json['access_token'];
  const expiresIn = json['expires_in'];
  if (typeof accessToken !== 'string' || !TOKEN_CHARACTERS.test(accessToken)) throw new StsResponseError('STS response has no usable access_token');
  if (typeof json['token_type'] !== 'string' || json['token_type'].toLowerCase() !== 'bearer') {
    throw new StsResponseError('STS response has a token_type other than Bearer');
  }
  if (options.expectTokenExchange && json['issued_token_type'] !== ACCESS_TOKEN_TYPE) {
    throw new StsResponseError('STS response has an issued_token_type other than access_token');
  }
  // Entra sends a number, some STSs a numeric string.
  const seconds = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' && /^\d{1,9}$/.test(expiresIn) ? Number(expiresIn) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) throw new StsResponseError('STS response has no valid expires_in');
  return { accessToken, expiresInMs: Math.min(seconds, MAX_LIFETIME_SECONDS, jwtLifetimeSeconds(accessToken, options.now)) * 1000 };
}

/** A conditional-access challenge is a JSON object in a string; anything else is ignored. */
function claimsChallenge(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CLAIMS_CHARS) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When the issued token is a JWT, its own `exp` bounds how long it is reused, whatever
 * `expires_in` said. Read without verification: only ever used to shorten the lifetime.
 */
function jwtLifetimeSeconds(token: string, now: number): number {
  const parts = token.split('.');
  if (parts.length !== 3) return Number.POSITIVE_INFINITY;
  try {
    const exp = (JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp - now / 1000 : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
