import type { BenchCluster } from './bench-cluster.js';
import type { BenchOptions } from './bench-options.js';
import { checkAnswer } from './check-answer.js';
import type { ProcessUsage } from './ipc-protocol.js';
import { runLoad } from './load.js';
import { EXPECTED_Q1, EXPECTED_Q2, Q1, Q2 } from './queries.js';

export interface MemorySample {
  /** Seconds since the timed run started. */
  readonly t: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

export interface MemoryResult {
  readonly seconds: number;
  readonly callers: number;
  readonly requests: number;
  readonly rps: number;
  readonly samples: readonly MemorySample[];
  readonly rssStartMb: number;
  readonly rssEndMb: number;
  readonly rssMaxMb: number;
  /** Least-squares slope over the second half of the run, MB per minute (≈ 0: no growth). */
  readonly rssSlopeMbPerMin: number;
  readonly heapSlopeMbPerMin: number;
  /** Heap still used after a full collection, after warm-up and after the run, MB: a leak shows here. */
  readonly retainedHeapStartMb: number;
  readonly retainedHeapEndMb: number;
}

const CALLERS = 100;

/**
 * Memory over a long run: a fresh meshgate serves Q1 and Q2 alternately for 100 callers at
 * full load while its RSS and heap are sampled every second. Growth shows as a slope over the
 * second half (the first half includes warming up: JIT code, caches filling), and, more
 * plainly, as heap still in use after a full collection at the end versus after warm-up.
 */
export async function measureMemory(cluster: BenchCluster, options: BenchOptions, log: (line: string) => void): Promise<MemoryResult> {
  const meshgate = await cluster.startMeshgate(undefined, { execArgv: ['--expose-gc'] });
  try {
    const tokens = await cluster.mint(100_000, CALLERS);
    const auth = { authorization: `Bearer ${tokens[0]}` };
    const q1 = await checkAnswer('meshgate Q1 (memory run)', meshgate.started.url, Q1, EXPECTED_Q1, auth);
    const q2 = await checkAnswer('meshgate Q2 (memory run)', meshgate.started.url, Q2, EXPECTED_Q2, auth);
    const load = {
      url: meshgate.started.url,
      requests: [{ body: JSON.stringify({ query: Q1 }) }, { body: JSON.stringify({ query: Q2 }) }],
      connections: options.connections,
      tokens,
      acceptBodies: new Set([q1.text, q2.text]),
    };
    await runLoad({ ...load, durationSeconds: options.warmupSeconds });
    const retainedStart = await meshgate.child.call<ProcessUsage>('gc');
    log(`memory: ${options.memorySeconds} s of Q1/Q2 for ${CALLERS} callers on a fresh meshgate`);
    const samples: MemorySample[] = [];
    const started = performance.now();
    let running = true;
    const sampler = (async () => {
      while (running) {
        const u = await meshgate.child.usage();
        samples.push({ t: (performance.now() - started) / 1000, rssMb: u.rss / 2 ** 20, heapUsedMb: u.heapUsed / 2 ** 20 });
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    const result = await runLoad({ ...load, durationSeconds: options.memorySeconds });
    running = false;
    await sampler;
    const retainedEnd = await meshgate.child.call<ProcessUsage>('gc');
    if (result.failures > 0) throw new Error(`memory run: ${result.failures} failed or wrong answers`);
    const secondHalf = samples.filter((s) => s.t >= options.memorySeconds / 2);
    const memory: MemoryResult = {
      seconds: options.memorySeconds,
      callers: CALLERS,
      requests: result.requests,
      rps: result.rps,
      samples,
      rssStartMb: samples[0]?.rssMb ?? Number.NaN,
      rssEndMb: samples.at(-1)?.rssMb ?? Number.NaN,
      rssMaxMb: Math.max(...samples.map((s) => s.rssMb)),
      rssSlopeMbPerMin: 60 * slope(secondHalf.map((s) => [s.t, s.rssMb])),
      heapSlopeMbPerMin: 60 * slope(secondHalf.map((s) => [s.t, s.heapUsedMb])),
      retainedHeapStartMb: retainedStart.heapUsed / 2 ** 20,
      retainedHeapEndMb: retainedEnd.heapUsed / 2 ** 20,
    };
    log(`  ${result.requests} requests, rss ${memory.rssStartMb.toFixed(0)} → ${memory.rssEndMb.toFixed(0)} MB (max ${memory.rssMaxMb.toFixed(0)}), second-half slope rss ${memory.rssSlopeMbPerMin.toFixed(2)} MB/min, heap ${memory.heapSlopeMbPerMin.toFixed(2)} MB/min; heap after full GC ${memory.retainedHeapStartMb.toFixed(1)} → ${memory.retainedHeapEndMb.toFixed(1)} MB`);
    return memory;
  } finally {
    await meshgate.child.stop();
  }
}

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}
