import { owns, type AdminCaller } from './admin-access.js';
import type { SubgraphEndpoint } from './graph-manager.js';
import { audienceForms, type Registration } from './registration.js';
import { RegistryError } from './registry-error.js';
import type { StoredSubgraph } from './registry-store.js';
import { isBlocking, type SchemaChange } from './schema-changes.js';

/**
 * Who may change a registration, and how. Admins may do anything the registry allows. An owner
 * (its app, or a group it is in) may update or remove its own registration, but not create one,
 * hand it to someone else, move it to another audience, or have callers' tokens forwarded to it.
 */
export function checkAccess(registration: Registration, caller: AdminCaller, existing: StoredSubgraph | undefined): void {
  if (caller.admin) return;
  if (!existing) throw forbidden(`only admins may register a new subgraph; ask one to register "${registration.name}" with you as owner`);
  if (!owns(caller, existing.owner)) throw forbidden(`you do not own subgraph "${registration.name}"`);
  if (registration.owner !== undefined && registration.owner.toLowerCase() !== existing.owner?.toLowerCase()) throw forbidden('only admins may change the owner of a subgraph');
  // The gateway sends its own token for the audience to the URL: an owner moving its subgraph
  // to another audience could collect the gateway's tokens for an API that is not theirs.
  if (registration.audience !== existing.audience) throw forbidden('only admins may change the audience of a subgraph');
  // A forwarded token is the caller's own token for the gateway: only an admin may send it to a subgraph.
  if (registration.token === 'forward') throw forbidden('token: "forward" sends callers\' own gateway tokens to the subgraph; only admins may choose it');
}

/** The owner or an admin may read or remove a registration. */
export function checkOwnership(name: string, caller: AdminCaller, existing: StoredSubgraph | undefined): void {
  if (!existing) throw caller.admin ? new RegistryError('NOT_FOUND', `no registered subgraph "${name}"`) : forbidden(`you do not own a subgraph "${name}"`);
  if (!caller.admin && !owns(caller, existing.owner)) throw forbidden(`you do not own subgraph "${name}"`);
}

/**
 * A registration may not take the name of a config-file subgraph, nor the audience of another
 * subgraph: a subgraph's audience is what its tokens open, and the gateway reads each SDL with a
 * token of that audience.
 */
export function checkConflicts(registration: Registration, configured: ReadonlyMap<string, SubgraphEndpoint>, registered: Iterable<SubgraphEndpoint>): void {
  if (configured.has(registration.name)) throw new RegistryError('CONFLICT', `subgraph "${registration.name}" is defined in the config file; change it there`);
  if (registration.audience === undefined) return;
  const forms = new Set(audienceForms(registration.audience));
  const clash = [...configured.values(), ...registered].find(
    (e) => e.name !== registration.name && e.policy.audience !== undefined && audienceForms(e.policy.audience).some((f) => forms.has(f)),
  );
  if (clash) throw new RegistryError('CONFLICT', `audience "${registration.audience}" is already used by subgraph "${clash.name}"; each subgraph needs an audience of its own`);
}

/**
 * Refuses (422, with the list) breaking changes and weakened access rules unless forced; returns
 * whether force was needed. An owner may force changes to what only its subgraph declares;
 * forcing a change to what other subgraphs also serve (taking over or locking another team's
 * fields) needs an admin.
 */
export function judgeChanges(changes: readonly SchemaChange[], force: boolean, caller: AdminCaller): boolean {
  const blocking = changes.filter(isBlocking);
  if (blocking.length === 0) return false;
  if (!force) {
    throw new RegistryError('REGISTRATION_REFUSED', `${blocking.length} breaking change(s) or weakened access rule(s); fix them, or send again with ?force=true to accept them`, {
      reasons: blocking.map((c) => c.message),
      changes,
    });
  }
  const shared = blocking.filter((c) => c.shared);
  if (shared.length > 0 && !caller.admin) {
    throw new RegistryError('FORBIDDEN', `forcing ${shared.length} breaking change(s) to what other subgraphs also serve needs an admin`, {
      reasons: shared.map((c) => c.message),
      changes,
    });
  }
  return true;
}

export function forbidden(message: string): RegistryError {
  return new RegistryError('FORBIDDEN', message);
}
