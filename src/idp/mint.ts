import type { ClientAuthenticationClass, TokenVersion } from './claims.js';
import { DEMO_APPS } from './demo-directory.js';
import type { DevApp, DevUser } from './demo-directory.js';
import { resourceAudience } from './grant-context.js';
import { servicePrincipalObjectId } from './identifiers.js';
import { DevIdentityProviderOptionError } from './option-error.js';
import type { TenantDirectory } from './tenant-directory.js';
import type { SigningAlgorithm } from './signing-keys.js';
import type { AccessTokenRequest } from './token-issuer.js';

/**
 * Options of `DevIdentityProvider.mint()`: an access token signed by the provider without a
 * grant, for tests and for `npx meshgate token`.
 *
 * @example
 * await idp.mint({ user: 'alan@meshgate.dev', scopes: ['Orders.Read'] });
 * await idp.mint({ kind: 'app' }); // the demo agent, with its roles on the gateway
 * await idp.mint({ claims: { exp: 0 } }); // a token the gateway must refuse
 */
export interface MintOptions {
  /** A person's delegated token or an app-only token. Default `'user'`. */
  kind?: 'user' | 'app';
  /** The person: a `DevUser`, or the `oid` / `preferredUsername` of a directory user. Default: the first user (Ada). */
  user?: DevUser | string;
  /**
   * The client the token is issued to (`azp` / `appid`; for apps also the identity). Default:
   * `DEMO_APPS.agent` for apps, `DEMO_APPS.graphiql` (the public GraphiQL client) for people.
   */
  clientId?: string;
  /**
   * The resource: a client id or Application ID URI. Default: the gateway. A directory
   * resource gets Entra's `aud` (client id in v2, Application ID URI in v1); anything else is
   * used as `aud` verbatim.
   */
  audience?: string;
  /** `scp` of a person's token. Default: every scope the audience exposes (`user_impersonation` for unknown audiences). */
  scopes?: readonly string[];
  /** `roles`. Default: for apps, the roles the client was granted on the audience; for people, none. */
  roles?: readonly string[];
  /** Default `'2.0'`. */
  version?: TokenVersion;
  /** Default: the provider's `tokenLifetimeSeconds`. */
  lifetimeSeconds?: number;
  /** Claims added last, overriding the others; `undefined` removes a claim. For crafting bad tokens. */
  claims?: Record<string, unknown>;
  /**
   * Signature algorithm. Default `'RS256'`, the only one Entra uses; `'PS256'` signs with the
   * same key under another algorithm, for crafting a token a resource must refuse.
   */
  algorithm?: SigningAlgorithm;
}

const MINT_OPTION_NAMES = new Set([
  'kind', 'user', 'clientId', 'audience', 'scopes', 'roles', 'version', 'lifetimeSeconds', 'claims', 'algorithm',
]);

/** Checks `options` (which may come from JSON) and decides the token's content. */
export function resolveMintOptions(options: MintOptions, directory: TenantDirectory, tenantId: string): AccessTokenRequest {
  const raw = options as Record<string, unknown>;
  for (const name of Object.keys(raw)) {
    if (!MINT_OPTION_NAMES.has(name)) throw new DevIdentityProviderOptionError(name, 'unknown option');
  }
  const kind = oneOf(raw.kind, 'kind', ['user', 'app'] as const) ?? 'user';
  const version = oneOf(raw.version, 'version', ['1.0', '2.0'] as const) ?? '2.0';
  const algorithm = oneOf(raw.algorithm, 'algorithm', ['RS256', 'PS256'] as const);
  const clientId =
    text(raw.clientId, 'clientId') ?? (kind === 'app' ? DEMO_APPS.agent.clientId : DEMO_APPS.graphiql.clientId);
  const audience = text(raw.audience, 'audience') ?? DEMO_APPS.gateway.clientId;
  const scopes = textList(raw.scopes, 'scopes');
  const roles = textList(raw.roles, 'roles');
  const lifetimeSeconds = raw.lifetimeSeconds === undefined ? undefined : positiveSeconds(raw.lifetimeSeconds, 'lifetimeSeconds');
  const claims = raw.claims;
  if (claims !== undefined && (typeof claims !== 'object' || claims === null || Array.isArray(claims))) {
    throw new DevIdentityProviderOptionError('claims', 'must be an object of claim names to values');
  }

  const resource = directory.resource(audience);
  const client = directory.client(clientId);
  const common = {
    version,
    audience: resource === undefined ? audience : resourceAudience(resource, version),
    clientId,
    clientAuthentication: authenticationClass(client),
    ...(lifetimeSeconds === undefined ? {} : { lifetimeSeconds }),
    ...(claims === undefined ? {} : { extraClaims: claims as Record<string, unknown> }),
    ...(algorithm === undefined ? {} : { algorithm }),
  };

  if (kind === 'app') {
    if (raw.user !== undefined) throw new DevIdentityProviderOptionError('user', "is not used with kind 'app'");
    if (scopes !== undefined) throw new DevIdentityProviderOptionError('scopes', "app-only tokens carry roles, not scp: use 'roles'");
    return {
      ...common,
      subject: { kind: 'app', objectId: servicePrincipalObjectId(tenantId, clientId) },
      roles: roles ?? (resource === undefined ? [] : (client?.appRoleGrants?.[resource.clientId] ?? [])),
    };
  }
  const user = resolveUser(raw.user, directory);
  return {
    ...common,
    subject: { kind: 'user', objectId: user.oid, name: user.name, username: user.preferredUsername },
    scopes: scopes ?? (resource === undefined ? ['user_impersonation'] : [...(resource.exposedScopes ?? [])]),
    roles: roles ?? [],
  };
}

function resolveUser(value: unknown, directory: TenantDirectory): DevUser {
  if (value === undefined) {
    const first = directory.users[0];
    if (first === undefined) throw new DevIdentityProviderOptionError('user', 'the directory has no users');
    return first;
  }
  if (typeof value === 'string') {
    const user = directory.user(value);
    if (user === undefined) {
      throw new DevIdentityProviderOptionError('user', `no user with oid or preferredUsername '${value.slice(0, 100)}'`);
    }
    return user;
  }
  const candidate = value as Partial<DevUser> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.oid !== 'string' ||
    typeof candidate.name !== 'string' ||
    typeof candidate.preferredUsername !== 'string'
  ) {
    throw new DevIdentityProviderOptionError('user', 'must be a DevUser or the oid / preferredUsername of one');
  }
  return candidate as DevUser;
}

function authenticationClass(client: DevApp | undefined): ClientAuthenticationClass {
  if (client === undefined || client.clientSecret !== undefined) return '1';
  return (client.clientCertificateKeys ?? []).length > 0 ? '2' : '0';
}

function oneOf<T extends string>(value: unknown, option: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new DevIdentityProviderOptionError(option, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

function text(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new DevIdentityProviderOptionError(option, 'must be a non-empty string');
  return value;
}

function textList(value: unknown, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && /^\S+$/.test(item))) {
    throw new DevIdentityProviderOptionError(option, 'must be an array of strings without spaces');
  }
  return [...(value as string[])];
}

/** Whole seconds, at least 1 and at most a day (Entra's access tokens live 60 to 90 minutes). */
export function positiveSeconds(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 86_400) {
    throw new DevIdentityProviderOptionError(option, 'must be a whole number of seconds from 1 to 86400');
  }
  return value;
}
