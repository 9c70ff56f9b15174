import { appendFileSync } from 'node:fs';
import type { AdminCaller } from './admin-access.js';
import type { Actor } from './registry-store.js';
import type { SchemaChange } from './schema-changes.js';

/**
 * One audit event per registry change or refused registration: who, what, which version, and
 * every breaking change or weakened rule (accepted with `force`, or the reason for a refusal).
 * Never a token, never an SDL text.
 */
export interface RegistryAuditEvent {
  readonly type: 'registry.change';
  readonly time: string;
  readonly requestId: string | null;
  readonly action: 'create' | 'update' | 'remove' | 'refresh' | 'check';
  readonly subgraphs: readonly string[];
  readonly outcome: 'applied' | 'refused';
  /** Store version after the change (the unchanged version for refusals and checks). */
  readonly version: number;
  readonly principal: (Actor & { readonly admin: boolean }) | null;
  /** True when breaking changes or weakened rules were accepted with `?force=true`. */
  readonly forced: boolean;
  readonly changes: readonly { kind: string; type: string; coordinate?: string; message: string }[];
  readonly reasons: readonly string[];
}

/** Where registry audit events go. */
export interface RegistryAuditSink {
  write(event: RegistryAuditEvent): void;
}

/**
 * The same destinations as the operation audit log (`audit.sink`): `stdout` (JSON lines), `off`,
 * or a file path (JSON lines, appended synchronously, so the event is on disk before the
 * response is sent).
 */
export function createRegistryAuditSink(target: string): RegistryAuditSink {
  if (target === 'off') return { write: () => undefined };
  if (target === 'stdout') return { write: (event) => void process.stdout.write(`${JSON.stringify(event)}\n`) };
  return { write: (event) => appendFileSync(target, `${JSON.stringify(event)}\n`) };
}

/** Collects events in memory (tests, embedding). */
export function createMemoryRegistryAuditSink(): RegistryAuditSink & { readonly events: RegistryAuditEvent[] } {
  const events: RegistryAuditEvent[] = [];
  return { events, write: (event) => void events.push(event) };
}

/** What a registry audit event says, before it is stamped. */
export interface RegistryAuditFacts {
  readonly action: RegistryAuditEvent['action'];
  readonly subgraphs: readonly string[];
  readonly outcome: RegistryAuditEvent['outcome'];
  readonly version: number;
  /** null for the gateway's own changes (SDL refresh). */
  readonly caller: AdminCaller | null;
  readonly forced: boolean;
  readonly changes: readonly SchemaChange[];
  readonly reasons?: readonly string[];
  readonly requestId?: string | undefined;
}

/** Builds the event: every change but the safe ones (those are in the response only). */
export function registryAuditEvent(facts: RegistryAuditFacts, now: number): RegistryAuditEvent {
  return {
    type: 'registry.change',
    time: new Date(now).toISOString(),
    requestId: facts.requestId ?? null,
    action: facts.action,
    subgraphs: facts.subgraphs,
    outcome: facts.outcome,
    version: facts.version,
    principal: facts.caller ? { ...facts.caller.actor, admin: facts.caller.admin } : null,
    forced: facts.forced,
    changes: facts.changes.filter((c) => c.kind !== 'safe').map(({ kind, type, coordinate, message }) => ({ kind, type, ...(coordinate ? { coordinate } : {}), message })),
    reasons: facts.reasons ?? [],
  };
}
