import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify } from 'jose';
import type { JWK, JWTPayload, ProtectedHeaderParameters } from 'jose';
import type { ClientAuthenticationClass } from './claims.js';
import type { DevApp } from './demo-directory.js';
import { CLIENT_ASSERTION_ALGORITHMS } from './discovery.js';
import { EntraError, entraErrors } from './entra-errors.js';
import type { FormParameters } from './form-body.js';
import type { TenantDirectory } from './tenant-directory.js';

/**
 * Client authentication at the token endpoint (RFC 6749 §2.3, OpenID Connect Core §9):
 * `client_secret_post`, `client_secret_basic` and `private_key_jwt`. Exactly one method per
 * request: RFC 6749 forbids more, and accepting two would leave it unclear which one counted.
 */

export type ClientAuthenticationMethod = 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt';

export interface AuthenticatedClient {
  readonly app: DevApp;
  readonly method: ClientAuthenticationMethod;
  /** What tokens issued to this client carry as `azpacr` / `appidacr`. */
  readonly authenticationClass: ClientAuthenticationClass;
}

export interface ClientAuthenticationContext {
  readonly directory: TenantDirectory;
  readonly tenantId: string;
  /** The audience `private_key_jwt` assertions must name. */
  readonly tokenEndpoint: string;
  readonly now: () => number;
}

const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export async function authenticateClient(
  form: FormParameters,
  authorization: string | undefined,
  context: ClientAuthenticationContext,
): Promise<AuthenticatedClient> {
  const basic = authorization !== undefined && /^basic(\s|$)/i.test(authorization) ? authorization : undefined;
  const post = form.has('client_secret');
  const assertion = form.has('client_assertion') || form.has('client_assertion_type');
  if ([basic !== undefined, post, assertion].filter(Boolean).length > 1) {
    throw entraErrors.malformedRequest('The request uses more than one client authentication method; use exactly one.');
  }
  if (basic !== undefined) return withBasicChallenge(() => authenticateBasic(basic, form, context), context.tenantId);
  if (post) return authenticateSecretPost(form, context);
  if (assertion) return authenticatePrivateKeyJwt(form, context);

  const clientId = form.get('client_id');
  if (clientId === undefined || clientId === '') throw entraErrors.missingParameter('client_id');
  knownClient(clientId, context);
  // Every grant the provider implements is for confidential clients.
  throw entraErrors.clientCredentialRequired();
}

function knownClient(clientId: string, context: ClientAuthenticationContext): DevApp {
  const app = context.directory.client(clientId);
  if (app === undefined) throw entraErrors.unknownClient(clientId, context.tenantId);
  return app;
}

function checkSecret(app: DevApp, secret: string): void {
  // Compare digests so that the comparison takes the same time whatever the lengths.
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  if (app.clientSecret === undefined || !timingSafeEqual(digest(app.clientSecret), digest(secret))) {
    throw entraErrors.invalidClientSecret(app.clientId);
  }
}

function authenticateSecretPost(form: FormParameters, context: ClientAuthenticationContext): AuthenticatedClient {
  const clientId = form.get('client_id');
  if (clientId === undefined || clientId === '') throw entraErrors.missingParameter('client_id');
  const app = knownClient(clientId, context);
  checkSecret(app, form.get('client_secret') ?? '');
  return { app, method: 'client_secret_post', authenticationClass: '1' };
}

/** RFC 6749 §2.3.1: the id and secret are form-urlencoded, then joined by ':' and base64-encoded. */
function authenticateBasic(authorization: string, form: FormParameters, context: ClientAuthenticationContext): AuthenticatedClient {
  const decoded = Buffer.from(authorization.slice('basic'.length).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw entraErrors.malformedRequest('The Basic Authorization header is malformed.');
  let clientId: string;
  let secret: string;
  try {
    clientId = formDecode(decoded.slice(0, colon));
    secret = formDecode(decoded.slice(colon + 1));
  } catch {
    throw entraErrors.malformedRequest('The Basic Authorization header is malformed.');
  }
  const formClientId = form.get('client_id');
  if (formClientId !== undefined && formClientId !== '' && formClientId.toLowerCase() !== clientId.toLowerCase()) {
    throw entraErrors.malformedRequest("The 'client_id' parameter does not match the client of the Authorization header.");
  }
  const app = knownClient(clientId, context);
  checkSecret(app, secret);
  return { app, method: 'client_secret_basic', authenticationClass: '1' };
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/** RFC 6749 §5.2: a 401 to a client that used the Authorization header carries a challenge. */
async function withBasicChallenge(authenticate: () => AuthenticatedClient, tenantId: string): Promise<AuthenticatedClient> {
  try {
    return authenticate();
  } catch (error) {
    if (error instanceof EntraError && error.status === 401) {
      throw new EntraError(error.status, error.error, error.description, {
        ...(error.aadsts === undefined ? {} : { aadsts: error.aadsts }),
        headers: { ...error.headers, 'www-authenticate': `Basic realm="${tenantId}"` },
      });
    }
    throw error;
  }
}

/**
 * `private_key_jwt` (RFC 7523 §2.2): a JWT signed with a key registered on the app, with
 * `iss` = `sub` = the client id, `aud` = the token endpoint, `exp` and `jti`.
 */
async function authenticatePrivateKeyJwt(form: FormParameters, context: ClientAuthenticationContext): Promise<AuthenticatedClient> {
  const assertionType = form.get('client_assertion_type');
  if (assertionType === undefined || assertionType === '') throw entraErrors.missingParameter('client_assertion_type');
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
    throw entraErrors.malformedRequest(`'client_assertion_type' must be '${JWT_BEARER_ASSERTION_TYPE}'.`);
  }
  const assertion = form.get('client_assertion');
  if (assertion === undefined || assertion === '') throw entraErrors.missingParameter('client_assertion');

  let header: ProtectedHeaderParameters;
  let unverified: JWTPayload;
  try {
    header = decodeProtectedHeader(assertion);
    unverified = decodeJwt(assertion);
  } catch {
    throw entraErrors.invalidClientAssertion(50027, 'JWT token is invalid or malformed.');
  }
  const formClientId = form.get('client_id');
  const clientId = formClientId !== undefined && formClientId !== '' ? formClientId : unverified.sub;
  if (clientId === undefined) throw entraErrors.missingParameter('client_id');
  if (unverified.sub !== undefined && unverified.sub.toLowerCase() !== clientId.toLowerCase()) {
    throw entraErrors.invalidClientAssertion(700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
  }
  const app = knownClient(clientId, context);
  const algorithm = header.alg;
  if (algorithm === undefined || !(CLIENT_ASSERTION_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw entraErrors.invalidClientAssertion(
      700027,
      `Client assertion must be signed with one of ${CLIENT_ASSERTION_ALGORITHMS.join(', ')}.`,
    );
  }
  const candidates = (app.clientCertificateKeys ?? []).filter((jwk) => matchesHeader(jwk, header));
  if (candidates.length === 0) {
    throw entraErrors.invalidClientAssertion(
      700027,
      'The certificate with identifier used to sign the client assertion is not registered on application.',
    );
  }

  for (const jwk of candidates) {
    let key: Awaited<ReturnType<typeof importJWK>>;
    try {
      key = await importJWK(jwk, algorithm);
    } catch {
      continue; // A registered key of another type (RSA vs EC) cannot have signed it.
    }
    try {
      await jwtVerify(assertion, key, {
        algorithms: [algorithm],
        audience: context.tokenEndpoint,
        issuer: app.clientId,
        subject: app.clientId,
        requiredClaims: ['exp', 'jti'],
        currentDate: new Date(context.now()),
      });
      return { app, method: 'private_key_jwt', authenticationClass: '2' };
    } catch (error) {
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) continue;
      throw assertionClaimError(error);
    }
  }
  throw entraErrors.invalidClientAssertion(700027, 'Client assertion failed signature validation.');
}

function matchesHeader(jwk: JWK, header: ProtectedHeaderParameters): boolean {
  const x5tS256 = header['x5t#S256'];
  if (header.kid === undefined && header.x5t === undefined && x5tS256 === undefined) return true;
  return (
    (header.kid !== undefined && jwk.kid === header.kid) ||
    (header.x5t !== undefined && jwk.x5t === header.x5t) ||
    (typeof x5tS256 === 'string' && (jwk as Record<string, unknown>)['x5t#S256'] === x5tS256)
  );
}

function assertionClaimError(error: unknown): EntraError {
  if (error instanceof joseErrors.JWTExpired) {
    return entraErrors.invalidClientAssertion(700024, 'Client assertion is not within its valid time range.');
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return entraErrors.invalidClientAssertion(700024, 'Client assertion is not within its valid time range.');
      case 'aud':
        return entraErrors.invalidClientAssertion(50012, 'Client assertion audience claim does not match Realm issuer.');
      case 'iss':
      case 'sub':
        return entraErrors.invalidClientAssertion(
          700021,
          "Client assertion application identifier doesn't match 'client_id' parameter.",
        );
      default:
        return entraErrors.invalidClientAssertion(50027, `JWT token is invalid or malformed: the '${error.claim}' claim is missing or invalid.`);
    }
  }
  return entraErrors.invalidClientAssertion(50027, 'JWT token is invalid or malformed.');
}
