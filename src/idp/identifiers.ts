import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Identifiers shaped like Entra's: GUIDs for object ids and request ids, opaque base64url
 * strings for `aio`, `uti` and pairwise `sub`.
 */

// Fixed namespace so that derived ids are the same on every run and every machine.
const MESHGATE_DEV_NAMESPACE = Buffer.from('6f1c2b7e9d0a4e5fb3c81a2d4e6f7081', 'hex');

/** A name-based (RFC 9562 version 5) GUID: the same name always gives the same GUID. */
export function stableGuid(name: string): string {
  const hash = createHash('sha1').update(MESHGATE_DEV_NAMESPACE).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The object id of a client app's service principal in the tenant: what app-only tokens carry
 * as `oid` and `sub`. Derived, so that an agent's identity is stable between runs.
 *
 * @example
 * servicePrincipalObjectId(DEMO_TENANT_ID, DEMO_APPS.agent.clientId) // 'xxxxxxxx-…'
 */
export function servicePrincipalObjectId(tenantId: string, clientId: string): string {
  return stableGuid(`service-principal:${tenantId.toLowerCase()}:${clientId.toLowerCase()}`);
}

/**
 * A person's `sub` as Entra makes it: pairwise, so that two apps cannot correlate a person by
 * `sub` alone (they can by `oid`, which is what authorization should key on).
 */
export function pairwiseSubject(objectId: string, clientId: string): string {
  return createHash('sha256')
    .update(`${objectId.toLowerCase()}:${clientId.toLowerCase()}`)
    .digest('base64url');
}

export function randomGuid(): string {
  return randomUUID();
}

/** Random base64url text of `bytes` random bytes (for `aio`, `uti`, `rh`). */
export function randomOpaque(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}
