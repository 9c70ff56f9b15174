import { errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { isUserToken } from './claims.js';
import type { ClientAuthenticationClass, TokenVersion } from './claims.js';
import { EntraError, entraErrors } from './entra-errors.js';
import type { SigningKeySet } from './signing-keys.js';

/**
 * Verification of the token a client exchanges (the OBO `assertion`, the RFC 8693
 * `subject_token`): it must be one this provider issued and still valid, for this tenant, and
 * addressed to the client that presents it, so that no client can exchange a token that was
 * meant for another.
 */

export interface VerifiedSubjectToken {
  readonly kind: 'user' | 'app';
  readonly version: TokenVersion;
  readonly objectId: string;
  /** `azp` (v2) or `appid` (v1): the client the subject token was issued to. */
  readonly clientId: string | undefined;
  /** `azpacr` / `appidacr` of the subject token. */
  readonly clientAuthentication: ClientAuthenticationClass;
  readonly name: string | undefined;
  /** `preferred_username` (v2) or `upn` / `unique_name` (v1). */
  readonly username: string | undefined;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  /** The test-only conditional-access marker: the token's session still needs MFA. */
  readonly requiresMfa: boolean;
}

export interface SubjectTokenExpectations {
  readonly keys: SigningKeySet;
  /** The v2 and v1 issuers of this provider. */
  readonly issuers: readonly string[];
  readonly tenantId: string;
  /** The presenting client's identifiers: its client id and Application ID URI. */
  readonly audiences: readonly string[];
  readonly now: () => number;
  /** OBO answers `invalid_grant`; RFC 8693 §2.2.2 requires `invalid_request`. */
  readonly error: 'invalid_grant' | 'invalid_request';
  /** Parameter name used in messages: `assertion` or `subject_token`. */
  readonly parameter: string;
}

class UnknownKeyError extends Error {}

export async function verifySubjectToken(token: string, expect: SubjectTokenExpectations): Promise<VerifiedSubjectToken> {
  const fail = (aadsts: number, description: string) => entraErrors.invalidAssertion(expect.error, aadsts, description);
  const nowMs = expect.now();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      (header) => {
        const key = expect.keys.verificationKey(header.kid);
        if (key === undefined) throw new UnknownKeyError();
        return key;
      },
      {
        algorithms: ['RS256'],
        issuer: [...expect.issuers],
        audience: [...expect.audiences],
        requiredClaims: ['exp', 'iat', 'oid', 'tid'],
        currentDate: new Date(nowMs),
      },
    ));
  } catch (error) {
    throw subjectTokenError(error, fail, nowMs, expect.parameter);
  }

  if (payload.tid !== expect.tenantId) {
    throw fail(50013, `Assertion failed signature validation. [Reason - The ${expect.parameter} was issued for another tenant.]`);
  }
  const claims = payload as Record<string, unknown>;
  const text = (name: string) => (typeof claims[name] === 'string' ? (claims[name] as string) : undefined);
  const version: TokenVersion = claims.ver === '1.0' ? '1.0' : '2.0';
  return {
    kind: isUserToken(claims) ? 'user' : 'app',
    version,
    objectId: text('oid')!,
    clientId: text('azp') ?? text('appid'),
    clientAuthentication: authenticationClass(text('azpacr') ?? text('appidacr')),
    name: text('name'),
    username: text('preferred_username') ?? text('upn') ?? text('unique_name'),
    scopes: (text('scp') ?? '').split(' ').filter((scope) => scope !== ''),
    roles: Array.isArray(claims.roles) ? claims.roles.filter((role): role is string => typeof role === 'string') : [],
    requiresMfa: claims.mg_require_mfa === true,
  };
}

function authenticationClass(value: string | undefined): ClientAuthenticationClass {
  return value === '0' || value === '2' ? value : '1';
}

function subjectTokenError(
  error: unknown,
  fail: (aadsts: number, description: string) => EntraError,
  nowMs: number,
  parameter: string,
): EntraError {
  const timeRange = (payload: JWTPayload) =>
    fail(
      500133,
      `Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: ${new Date(nowMs).toISOString()}, expiry time of assertion ${typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : 'unknown'}.`,
    );
  if (error instanceof UnknownKeyError) {
    return fail(50013, 'Assertion failed signature validation. [Reason - The key was not found.]');
  }
  if (error instanceof joseErrors.JWTExpired) return timeRange(error.payload);
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return timeRange(error.payload);
      case 'aud':
        return fail(500131, 'Assertion audience does not match the Client app presenting the assertion.');
      case 'iss':
        return fail(50013, `Assertion failed signature validation. [Reason - The ${parameter} was not issued by this tenant.]`);
      default:
        return fail(50013, `Assertion failed validation. [Reason - The '${error.claim}' claim is missing or invalid.]`);
    }
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JOSEAlgNotAllowed) {
    return fail(50013, 'Assertion failed signature validation.');
  }
  if (error instanceof joseErrors.JOSEError) return fail(50027, 'JWT token is invalid or malformed.');
  throw error;
}
