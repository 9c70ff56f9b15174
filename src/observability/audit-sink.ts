import { appendFileSync, closeSync, openSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/**
 * One audit event per executed operation (see `useAudit`). It says who asked, what was denied
 * and why, which subgraphs were called with which audience and where their token came from,
 * and how it ended. Never a token, never variable values, never the operation text (its hash).
 */
export interface AuditEvent {
  readonly type: 'graphql.operation';
  /** ISO 8601, from the gateway's clock. */
  readonly time: string;
  /** `x-request-id` of the request when it is a safe token, else a generated UUID. */
  readonly requestId: string;
  readonly operationName: string | null;
  readonly operationType: 'query' | 'mutation' | 'subscription' | null;
  /** SHA-256 (hex) of the operation text: identifies the query without storing it. */
  readonly operationHash: string;
  /** null for an anonymous caller. */
  readonly principal: {
    readonly tenantId: string;
    readonly objectId: string;
    readonly clientId: string;
    readonly kind: 'person' | 'app';
  } | null;
  /** Each denied coordinate once, with its rule, what the caller lacked, and where it was asked. */
  readonly denied: readonly AuditDenial[];
  /** Each subgraph called, per token source, with the number of requests. */
  readonly subgraphs: readonly AuditSubgraphCall[];
  /**
   * `ok`: nothing denied, no error. `denied`: only denials (answered with null). `rejected`:
   * denials refused the whole operation (`authorization.mode: reject`). `partial`: data with
   * other errors. `error`: no data.
   */
  readonly outcome: 'ok' | 'partial' | 'denied' | 'rejected' | 'error';
  /**
   * Distinct `extensions.code` of the errors answered; errors without one are `INTERNAL` (a
   * bug, masked for the caller), `BAD_REQUEST` (graphql-js refused the request, e.g. a bad
   * variable) or `GRAPHQL_ERROR`.
   */
  readonly errorCodes: readonly string[];
}

export interface AuditDenial {
  readonly coordinate: string;
  readonly requiredScopes: string[][];
  readonly missingScopes: string[][];
  /** Response keys to each denied place (no list positions). */
  readonly paths: readonly (readonly string[])[];
}

export interface AuditSubgraphCall {
  readonly subgraph: string;
  readonly audience: string | undefined;
  /** How the token sent was obtained: `exchange` (OBO / RFC 8693), `client-credentials`, `forward`, `none`, or `failed`. */
  readonly tokenSource: string;
  /** Whether the token came from the gateway's token cache (no call to the token service). */
  readonly fromCache: boolean;
  /** Requests made to this subgraph with a token of this source. */
  readonly calls: number;
}

/** Where audit events go. */
export interface AuditSink {
  write(event: AuditEvent): void;
}

/**
 * The sink of `audit.sink`: `stdout` (JSON lines), `off`, or a file path (JSON lines,
 * appended synchronously, so an event is on disk before the response is sent). A file that
 * cannot be opened for appending is a `ConfigError` here, when the gateway is built, not a
 * lost event later.
 *
 * @example createAuditSink('/var/log/meshgate/audit.jsonl')
 */
export function createAuditSink(target: string): AuditSink {
  if (target === 'off') return { write: () => undefined };
  if (target === 'stdout') return { write: (event) => void process.stdout.write(`${JSON.stringify(event)}\n`) };
  try {
    closeSync(openSync(target, 'a'));
  } catch (error) {
    throw new ConfigError(`config: audit.sink: cannot append to "${target}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return { write: (event) => appendFileSync(target, `${JSON.stringify(event)}\n`) };
}

/** Collects events in memory (tests, embedding). */
export function createMemoryAuditSink(): AuditSink & { readonly events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  return { events, write: (event) => void events.push(event) };
}
