/**
 * The messages between the runner and its child processes (child_process.fork IPC). The runner
 * sends requests; the child answers each one with the same `id`. Every child understands
 * `usage` (its own CPU time and memory, read in-process so the numbers are the target's own),
 * `gc`, `clock` and `exit`; the rest (`start`, `mint`, `stats`, ...) are the child's own.
 */

export interface IpcRequest {
  readonly id: number;
  readonly type: string;
  readonly payload?: unknown;
}

export type IpcReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** A process's CPU time (µs, since it started) and memory (bytes). */
export interface ProcessUsage {
  readonly cpuMicros: number;
  readonly rss: number;
  readonly heapUsed: number;
}

/** What a server child answers to `start`. */
export interface StartedServer {
  /** URL of the GraphQL endpoint (for subgraph processes: the origin). */
  readonly url: string;
  /** Time spent getting ready (composition, for gateways), ms. */
  readonly startMs: number;
}

export function isIpcRequest(value: unknown): value is IpcRequest {
  return typeof value === 'object' && value !== null && typeof (value as IpcRequest).id === 'number' && typeof (value as IpcRequest).type === 'string';
}

export function isIpcReply(value: unknown): value is IpcReply {
  return typeof value === 'object' && value !== null && typeof (value as IpcReply).id === 'number' && typeof (value as IpcReply).ok === 'boolean';
}
