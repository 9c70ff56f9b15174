import { pairwiseSubject, randomOpaque } from './identifiers.js';

/**
 * Access-token claims in the shapes Entra issues (v1.0 and v2.0), for people (delegated,
 * `scp`) and for apps (app-only, `roles`, `idtyp: 'app'`).
 */

export type TokenVersion = '1.0' | '2.0';

/**
 * How the client proved who it is, as `azpacr` (v2) / `appidacr` (v1) say it:
 * '0' public client, '1' client secret, '2' certificate (`private_key_jwt`).
 */
export type ClientAuthenticationClass = '0' | '1' | '2';

/** Whom the token is about. */
export type TokenSubject =
  | {
      readonly kind: 'user';
      readonly objectId: string;
      readonly name?: string;
      readonly username?: string;
    }
  | {
      readonly kind: 'app';
      /** The object id of the client app's service principal. */
      readonly objectId: string;
    };

export interface AccessTokenClaimsInput {
  readonly version: TokenVersion;
  readonly issuer: string;
  readonly tenantId: string;
  readonly audience: string;
  /** The client the token was issued to: `azp` (v2) / `appid` (v1). */
  readonly clientId: string;
  readonly clientAuthentication: ClientAuthenticationClass;
  readonly subject: TokenSubject;
  /** Delegated permissions (people only), written space-separated into `scp`; omitted when empty. */
  readonly scopes?: readonly string[];
  /** App roles (apps, and people assigned roles); omitted when empty. */
  readonly roles?: readonly string[];
  readonly issuedAtSeconds: number;
  readonly lifetimeSeconds: number;
  /** Added last: overrides the claims above; a value of `undefined` removes that claim. */
  readonly extraClaims?: Readonly<Record<string, unknown>>;
}

export function buildAccessTokenClaims(input: AccessTokenClaimsInput): Record<string, unknown> {
  const { subject, version } = input;
  const claims: Record<string, unknown> = {
    aud: input.audience,
    iss: input.issuer,
    iat: input.issuedAtSeconds,
    nbf: input.issuedAtSeconds,
    exp: input.issuedAtSeconds + input.lifetimeSeconds,
    aio: randomOpaque(48),
  };
  if (version === '2.0') {
    claims.azp = input.clientId;
    claims.azpacr = input.clientAuthentication;
  } else {
    claims.appid = input.clientId;
    claims.appidacr = input.clientAuthentication;
    // v1 app-only tokens name the identity provider (the tenant itself); v2 tokens omit it.
    if (subject.kind === 'app') claims.idp = input.issuer;
  }
  if (subject.kind === 'user') {
    if (subject.name !== undefined) claims.name = subject.name;
    claims.oid = subject.objectId;
    if (subject.username !== undefined) {
      if (version === '2.0') {
        claims.preferred_username = subject.username;
      } else {
        claims.unique_name = subject.username;
        claims.upn = subject.username;
      }
    }
  } else {
    claims.idtyp = 'app';
    claims.oid = subject.objectId;
  }
  // Opaque to clients (Entra uses it internally to re-validate tokens): random here.
  claims.rh = `0.${randomOpaque(30)}.`;
  if (subject.kind === 'user' && input.scopes !== undefined && input.scopes.length > 0) {
    claims.scp = input.scopes.join(' ');
  }
  if (input.roles !== undefined && input.roles.length > 0) claims.roles = [...input.roles];
  // A person's sub is pairwise per client; an app's sub is its service principal's object id.
  claims.sub = subject.kind === 'user' ? pairwiseSubject(subject.objectId, input.clientId) : subject.objectId;
  claims.tid = input.tenantId;
  claims.uti = randomOpaque(16);
  claims.ver = version;

  for (const [name, value] of Object.entries(input.extraClaims ?? {})) {
    if (value === undefined) delete claims[name];
    else claims[name] = value;
  }
  return claims;
}

/** Whether verified claims are a person's delegated token (not an app-only token). */
export function isUserToken(claims: Readonly<Record<string, unknown>>): boolean {
  return claims.idtyp !== 'app' && typeof claims.scp === 'string' && claims.scp.trim() !== '';
}
