import { fork, type ChildProcess } from 'node:child_process';
import { isIpcReply, type ProcessUsage } from './ipc-protocol.js';

/** Options of {@link BenchChild.fork}. */
export interface ForkOptions {
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly execArgv?: readonly string[];
}

/**
 * Runner side of one child process: forks a compiled entry file of `dist/bench/processes/`,
 * sends it requests over IPC and awaits the answers.
 */
export class BenchChild {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #exited = false;

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.#child = child;
    child.on('message', (message: unknown) => {
      if (!isIpcReply(message)) return;
      const waiting = this.#pending.get(message.id);
      if (!waiting) return;
      this.#pending.delete(message.id);
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(new Error(`${name}: ${message.error}`));
    });
    child.on('exit', (code, signal) => {
      this.#exited = true;
      for (const waiting of this.#pending.values()) waiting.reject(new Error(`${name} exited (${signal ?? code})`));
      this.#pending.clear();
    });
  }

  /** Forks `processes/<entry>.js` (next to this file once compiled). */
  static fork(name: string, entry: string, options: ForkOptions = {}): BenchChild {
    const path = new URL(`./processes/${entry}.js`, import.meta.url);
    const child = fork(path, [], {
      execArgv: [...(options.execArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    return new BenchChild(name, child);
  }

  /** Forks a child and sends it `start`; kills it if starting fails. */
  static async start<T>(name: string, entry: string, payload?: unknown, options: ForkOptions = {}): Promise<{ child: BenchChild; started: T }> {
    const child = BenchChild.fork(name, entry, options);
    try {
      return { child, started: await child.call<T>('start', payload) };
    } catch (error) {
      child.kill();
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  call<T>(type: string, payload?: unknown): Promise<T> {
    if (this.#exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ id, type, payload }, (error) => {
        if (error) {
          this.#pending.delete(id);
          reject(error);
        }
      });
    });
  }

  usage(): Promise<ProcessUsage> {
    return this.call<ProcessUsage>('usage');
  }

  /** Asks the child to exit (so profiles get written); kills it if it does not within 5 s. */
  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    await this.call('exit').catch(() => {});
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  /** Last resort when the runner itself fails. */
  kill(): void {
    if (!this.#exited) this.#child.kill('SIGKILL');
  }
}
