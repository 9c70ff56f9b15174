import { isIpcRequest, type IpcReply, type ProcessUsage } from './ipc-protocol.js';

export type IpcHandlers = Record<string, (payload: unknown) => unknown>;

/**
 * Child side of the IPC protocol: answers the runner's requests with `handlers`, plus the
 * built-in `usage`, `gc` (collect, then usage), `clock` and `exit`. The child exits when the runner goes away, so an
 * interrupted benchmark leaves no servers behind.
 */
export function serveIpc(handlers: IpcHandlers, onExit: () => Promise<void> | void = () => {}): void {
  const send = (reply: IpcReply) => process.send?.(reply);
  process.on('message', (message: unknown) => {
    if (!isIpcRequest(message)) return;
    const { id, type, payload } = message;
    if (type === 'usage') {
      send({ id, ok: true, value: usage() });
      return;
    }
    if (type === 'gc') {
      // Full collection first (needs --expose-gc): what the heap retains, without garbage.
      (globalThis as { gc?: () => void }).gc?.();
      send({ id, ok: true, value: usage() });
      return;
    }
    if (type === 'clock') {
      // V8's profiler timestamps use this monotonic clock, in µs: it locates a round in a .cpuprofile.
      send({ id, ok: true, value: Number(process.hrtime.bigint() / 1000n) });
      return;
    }
    if (type === 'exit') {
      void Promise.resolve()
        .then(onExit)
        .catch(() => {})
        .finally(() => {
          send({ id, ok: true, value: null });
          // process.exit (not a natural end) so that `--cpu-prof` writes its profile now.
          setTimeout(() => process.exit(0), 50);
        });
      return;
    }
    const handler = handlers[type];
    if (!handler) {
      send({ id, ok: false, error: `unknown request "${type}"` });
      return;
    }
    Promise.resolve()
      .then(() => handler(payload))
      .then(
        (value) => send({ id, ok: true, value: value ?? null }),
        (error: unknown) => send({ id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

export function usage(): ProcessUsage {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return { cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed };
}
