import type { Principal } from '../auth/principal.js';
import type { Grants } from './requirement.js';

const NO_SCOPES: ReadonlySet<string> = new Set();

/** What a caller brings to authorization: anonymous callers (null) hold no scopes. */
export function grantsOf(principal: Principal | null): Grants {
  return principal ? { authenticated: true, scopes: principal.scopes } : { authenticated: false, scopes: NO_SCOPES };
}

/**
 * A key equal for callers whose decisions are equal: authenticated or not, and the set of
 * scopes. Plans and filtered schemas are cached by it.
 */
export function grantsKey(grants: Grants): string {
  if (!grants.authenticated) return '';
  // JSON, not a space-joined list: `roles` entries come from the token and could hold a space.
  return JSON.stringify([...grants.scopes].sort());
}

const keysOfPrincipals = new WeakMap<Principal, string>();

/** `grantsKey(grantsOf(principal))`, computed once per principal (the verifier reuses principals of cached tokens). */
export function grantsKeyOf(principal: Principal | null): string {
  if (!principal) return '';
  let key = keysOfPrincipals.get(principal);
  if (key === undefined) {
    key = grantsKey(grantsOf(principal));
    keysOfPrincipals.set(principal, key);
  }
  return key;
}
