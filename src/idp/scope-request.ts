import type { DevApp } from './demo-directory.js';
import { entraErrors, quote } from './entra-errors.js';
import type { TenantDirectory } from './tenant-directory.js';

/**
 * Reading the `scope` parameter the way Entra's v2 endpoint does: every entry is
 * `<resource>/<permission>`, where the resource is an Application ID URI or a client id and
 * `.default` means "what this client was granted"; one request names one resource.
 */

/** OpenID Connect scopes: about the sign-in, not the resource, so never in an access token. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export interface ResourceScopeRequest {
  readonly resource: DevApp;
  /** The resource as the client wrote it (Application ID URI or client id). */
  readonly identifier: string;
  /** The named permissions, or `undefined` for `<resource>/.default`. */
  readonly named: readonly string[] | undefined;
}

function splitScopes(scope: string): string[] {
  return scope.split(/\s+/).filter((entry) => entry !== '');
}

function splitEntry(entry: string): { identifier: string; permission: string } | undefined {
  const slash = entry.lastIndexOf('/');
  if (slash <= 0 || slash === entry.length - 1) return undefined;
  return { identifier: entry.slice(0, slash).replace(/\/+$/, ''), permission: entry.slice(slash + 1) };
}

/** `client_credentials`: exactly one `<resource>/.default`, as Entra requires. */
export function parseClientCredentialsScope(scope: string, directory: TenantDirectory, tenantId: string): ResourceScopeRequest {
  const entries = splitScopes(scope);
  if (entries.length !== 1) {
    throw entraErrors.invalidScope(
      70011,
      "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid: client credential flows take exactly one scope, '<resource>/.default'.",
    );
  }
  const entry = entries[0]!;
  const parts = splitEntry(entry);
  if (parts === undefined || parts.permission !== '.default') {
    throw entraErrors.invalidScope(
      1002012,
      `The provided value for scope ${quote(entry)} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  return { resource: resolveResource(parts.identifier, directory, tenantId, 'invalid_resource'), identifier: parts.identifier, named: undefined };
}

/**
 * On-Behalf-Of: `<resource>/.default` or named `<resource>/<Scope>` entries of one resource;
 * OpenID Connect scopes (MSAL always adds them) are ignored.
 */
export function parseDelegatedScopes(scope: string, directory: TenantDirectory, tenantId: string): ResourceScopeRequest {
  const entries = splitScopes(scope).filter((entry) => !OIDC_SCOPES.has(entry));
  if (entries.length === 0) {
    throw entraErrors.invalidScope(70011, "The provided value for the input parameter 'scope' is not valid: it names no resource.");
  }
  let request: { resource: DevApp; identifier: string } | undefined;
  const permissions: string[] = [];
  for (const entry of entries) {
    const parts = splitEntry(entry);
    if (parts === undefined) {
      throw entraErrors.invalidScope(
        70011,
        `The provided value for the input parameter 'scope' is not valid. The scope ${quote(entry)} does not name a resource ('<resource>/<permission>').`,
      );
    }
    const resource = resolveResource(parts.identifier, directory, tenantId, 'invalid_resource');
    if (request === undefined) request = { resource, identifier: parts.identifier };
    else if (request.resource !== resource) {
      throw entraErrors.invalidScope(28000, "Provided value for the input parameter scope is not valid because it contains more than one resource.");
    }
    permissions.push(parts.permission);
  }
  const { resource, identifier } = request!;
  if (permissions.includes('.default')) {
    if (permissions.length > 1) {
      throw entraErrors.invalidScope(70011, "The provided value for the input parameter 'scope' is not valid: '.default' cannot be combined with other scopes.");
    }
    return { resource, identifier, named: undefined };
  }
  return { resource, identifier, named: requireExposedScopes(permissions, resource) };
}

/**
 * RFC 8693 `scope` for the `audience` resource: bare permission names, or `<resource>/<name>`
 * entries of that same resource; `.default` (or no scope) means everything granted.
 */
export function parseTokenExchangeScopes(scope: string | undefined, resource: DevApp, directory: TenantDirectory): readonly string[] | undefined {
  if (scope === undefined) return undefined;
  const permissions: string[] = [];
  for (const entry of splitScopes(scope).filter((entry) => !OIDC_SCOPES.has(entry))) {
    const parts = splitEntry(entry);
    if (parts !== undefined && directory.resource(parts.identifier) !== resource) {
      throw entraErrors.invalidScope(70011, `The scope ${quote(entry)} is not a permission of the requested audience.`);
    }
    permissions.push(parts?.permission ?? entry);
  }
  if (permissions.length === 0 || (permissions.length === 1 && permissions[0] === '.default')) return undefined;
  if (permissions.includes('.default')) {
    throw entraErrors.invalidScope(70011, "The provided value for the input parameter 'scope' is not valid: '.default' cannot be combined with other scopes.");
  }
  return permissions;
}

/** The named permissions, refused (invalid_scope) unless the resource exposes every one. */
export function requireExposedScopes(permissions: readonly string[], resource: DevApp): string[] {
  const exposed = new Set(resource.exposedScopes ?? []);
  const unknown = permissions.filter((permission) => !exposed.has(permission));
  if (unknown.length > 0) {
    throw entraErrors.invalidScope(
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope ${quote(unknown.join(' '))} is not exposed by ${resource.appIdUri ?? resource.clientId}.`,
    );
  }
  return [...new Set(permissions)];
}

export function resolveResource(identifier: string, directory: TenantDirectory, tenantId: string, error: 'invalid_resource' | 'invalid_target'): DevApp {
  const resource = directory.resource(identifier);
  if (resource === undefined) throw entraErrors.resourceNotFound(identifier, tenantId, error);
  return resource;
}

/**
 * Delegated permissions of a new token: the subject's `scp` narrowed to what the resource
 * exposes (and to the named permissions, when the client named some). A `.default` request
 * that leaves nothing gets `user_impersonation`, Entra's default delegated permission; named
 * permissions the subject does not hold are refused.
 */
export function grantDelegatedScopes(subjectScopes: readonly string[], resource: DevApp, named: readonly string[] | undefined): string[] {
  const exposed = new Set(resource.exposedScopes ?? []);
  const held = subjectScopes.filter((scope) => exposed.has(scope));
  if (named === undefined) return held.length > 0 ? [...new Set(held)] : ['user_impersonation'];
  const granted = named.filter((scope) => held.includes(scope));
  if (granted.length === 0) {
    throw entraErrors.invalidScope(
      70011,
      `The provided value for the input parameter 'scope' is not valid. None of the requested scopes ${quote(named.join(' '))} is held by the subject token.`,
    );
  }
  return granted;
}
