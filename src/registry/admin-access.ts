import { decodeJwt } from 'jose';
import type { Principal } from '../auth/principal.js';
import type { Actor } from './registry-store.js';

/** A verified caller of the admin API and what it may do. */
export interface AdminCaller {
  readonly actor: Actor;
  /** Holds one of `admin.roles` as an app role (`roles` claim): may change any registration. */
  readonly admin: boolean;
  /** What an `owner` may name for this caller: its app client id (app tokens) and its groups. */
  readonly identities: ReadonlySet<string>;
}

/**
 * Who is calling the admin API. Called only with a principal the Entra verifier accepted, so
 * reading `roles` and `groups` from its token needs no second verification. Admin rights come
 * from app roles only (`roles`), not from delegated scopes: a scope named like the role is not
 * an assignment of it. A person's `azp` is the client app they used (shared by everyone using
 * it), so only app tokens own through their client id; people own through their groups.
 */
export function adminCallerOf(principal: Principal, adminRoles: readonly string[]): AdminCaller {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(principal.token);
  } catch {
    claims = {};
  }
  const roles = strings(claims['roles']);
  const groups = strings(claims['groups']);
  const identities = new Set([...(principal.isApp && principal.clientId ? [principal.clientId] : []), ...groups].map((id) => id.toLowerCase()));
  return {
    actor: { clientId: principal.clientId, objectId: principal.objectId, kind: principal.isApp ? 'app' : 'person' },
    admin: roles.some((role) => adminRoles.includes(role)),
    identities,
  };
}

/** True when `owner` names the caller (its app, or one of its groups). */
export function owns(caller: AdminCaller, owner: string | undefined): boolean {
  return owner !== undefined && caller.identities.has(owner.toLowerCase());
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256).slice(0, 1000) : [];
}
