/**
 * The runner's options, from the environment (`npm run bench` takes no arguments). Each one
 * is checked once; a bad value stops the run with a message naming the variable.
 *
 * - `BENCH_QUICK=1`: a ~2-minute smoke run (fewer, shorter rounds; smaller scaling steps).
 * - `BENCH_PROFILE=1`: also run meshgate under `node --cpu-prof` for a Q1 round and summarize it.
 * - `BENCH_ROUNDS`, `BENCH_ROUND_SECONDS`: interleaved rounds per target and their length.
 * - `BENCH_CONNECTIONS`: concurrent connections of the throughput rounds (default 20).
 * - `BENCH_MEMORY_SECONDS`: length of the memory run (default 180; quick 15).
 * - `BENCH_CALLERS`: distinct-caller steps, comma-separated (default 1,100,1000,10000).
 * - `BENCH_SUBGRAPHS`: subgraph-count steps, comma-separated (default 3,10,30).
 * - `BENCH_OUT`: results directory (default bench/results).
 */
export interface BenchOptions {
  readonly quick: boolean;
  readonly profile: boolean;
  readonly rounds: number;
  readonly roundSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  /** Latency rounds (1 connection). */
  readonly latencyRounds: number;
  readonly latencySeconds: number;
  readonly selections: readonly number[];
  readonly scalingSeconds: number;
  readonly callers: readonly number[];
  readonly subgraphCounts: readonly number[];
  readonly memorySeconds: number;
  readonly profileSeconds: number;
  readonly outDir: string;
}

export class BenchOptionError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'BenchOptionError';
  }
}

export function benchOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const quick = flag(env, 'BENCH_QUICK');
  return {
    quick,
    profile: flag(env, 'BENCH_PROFILE'),
    rounds: integer(env, 'BENCH_ROUNDS', quick ? 2 : 5, 1, 50),
    roundSeconds: integer(env, 'BENCH_ROUND_SECONDS', quick ? 2 : 5, 1, 600),
    warmupSeconds: quick ? 1 : 2,
    connections: integer(env, 'BENCH_CONNECTIONS', 20, 1, 1000),
    latencyRounds: quick ? 1 : 3,
    latencySeconds: quick ? 1 : 3,
    selections: quick ? [10, 500] : [10, 100, 500],
    scalingSeconds: quick ? 1 : 4,
    callers: list(env, 'BENCH_CALLERS', quick ? [1, 1000] : [1, 100, 1000, 10_000], 1, 10_000),
    subgraphCounts: list(env, 'BENCH_SUBGRAPHS', quick ? [3, 30] : [3, 10, 30], 1, 30),
    memorySeconds: integer(env, 'BENCH_MEMORY_SECONDS', quick ? 15 : 180, 5, 3600),
    profileSeconds: quick ? 3 : 8,
    outDir: env['BENCH_OUT'] ?? 'bench/results',
  };
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name];
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new BenchOptionError(name, `must be 1 or 0, not "${value.slice(0, 20)}"`);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new BenchOptionError(name, `must be an integer from ${min} to ${max}`);
  return n;
}

function list(env: NodeJS.ProcessEnv, name: string, fallback: readonly number[], min: number, max: number): readonly number[] {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const items = value.split(',').map((part) => Number(part.trim()));
  if (items.length === 0 || items.some((n) => !Number.isInteger(n) || n < min || n > max)) {
    throw new BenchOptionError(name, `must be comma-separated integers from ${min} to ${max}`);
  }
  return items;
}
