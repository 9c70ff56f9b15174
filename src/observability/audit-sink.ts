import { appendFileSync } from 'node:fs';

/** One audit event per operation (see `useAudit`). Never a token, never variable values. */
export interface AuditEvent {
  readonly type: 'graphql.operation';
  readonly time: string;
  readonly requestId: string;
  readonly operationName: string | null;
  /** SHA-256 of the operation text: identifies the query without storing it. */
  readonly operationHash: string;
  readonly principal: {
    readonly tenantId: string;
    readonly objectId: string;
    readonly clientId: string;
    readonly kind: 'person' | 'app';
  } | null;
  readonly denied: readonly { coordinate: string; requiredScopes: string[][]; missingScopes: string[][] }[];
  readonly subgraphs: readonly { subgraph: string; audience: string | undefined; tokenSource: string }[];
  readonly outcome: 'ok' | 'partial' | 'denied' | 'error';
  readonly errorCodes: readonly string[];
}

/** Where audit events go. */
export interface AuditSink {
  write(event: AuditEvent): void;
}

/**
 * `stdout` (JSON lines), `off`, or a file path (JSON lines, appended synchronously so that an
 * event is on disk before the response is sent).
 */
export function createAuditSink(target: string): AuditSink {
  if (target === 'off') return { write: () => undefined };
  if (target === 'stdout') return { write: (event) => void process.stdout.write(`${JSON.stringify(event)}\n`) };
  return { write: (event) => appendFileSync(target, `${JSON.stringify(event)}\n`) };
}

/** Collects events in memory (tests, embedding). */
export function createMemoryAuditSink(): AuditSink & { readonly events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  return { events, write: (event) => void events.push(event) };
}
