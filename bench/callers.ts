import type { BenchCluster } from './bench-cluster.js';
import type { BenchOptions } from './bench-options.js';
import { runLoad } from './load.js';
import { measure } from './measure.js';
import type { MeshgateStats } from './process-payloads.js';
import { Q1 } from './queries.js';
import type { Target } from './target.js';

export interface CallersStep {
  readonly callers: number;
  /** First request of every caller: each needs a token exchange (cold cache). */
  readonly cold: { readonly requests: number; readonly seconds: number; readonly rps: number; readonly exchanges: number };
  /** Then a timed run cycling through all of them. */
  readonly warm: { readonly rps: number; readonly p50: number; readonly p99: number; readonly cpuMicrosPerRequest: number; readonly exchangeHitRate: number; readonly exchanges: number };
  /** meshgate's resident memory after the step, MB. */
  readonly rssMb: number;
}

/**
 * Distinct callers 1 → 10,000: tokens are minted up front (new callers at every step), each
 * caller's first request pays its exchange, then a timed run cycles through all of them and
 * reads the exchange cache's hit rate from meshgate. meshgate's memory must stay bounded: its
 * caches are LRUs keyed by caller.
 */
export async function measureCallers(
  cluster: BenchCluster,
  meshgate: Target,
  acceptBodies: ReadonlySet<string>,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<CallersStep[]> {
  const steps: CallersStep[] = [];
  const body = JSON.stringify({ query: Q1 });
  let nextCaller = 1_000;
  const stats = () => meshgate.process.call<MeshgateStats>('stats');
  for (const callers of options.callers) {
    log(`callers: minting ${callers} tokens`);
    const tokens = await cluster.mint(nextCaller, callers);
    nextCaller += callers;
    const headers = {};
    const connections = Math.min(options.connections, callers);
    const s0 = await stats();
    const cold = await runLoad({ url: meshgate.url, requests: [{ body }], connections, amount: callers, tokens, acceptBodies, headers });
    const s1 = await stats();
    const warm = await measure({ ...meshgate, headers }, { requests: [{ body }], connections, durationSeconds: options.scalingSeconds, tokens, acceptBodies });
    const s2 = await stats();
    if (cold.failures > 0 || warm.failures > 0) throw new Error(`callers ${callers}: ${cold.failures + warm.failures} failed or wrong answers`);
    const hits = s2.exchange.hits - s1.exchange.hits;
    const misses = s2.exchange.misses - s1.exchange.misses;
    const step: CallersStep = {
      callers,
      cold: { requests: cold.requests, seconds: cold.seconds, rps: cold.rps, exchanges: s1.exchange.exchanges - s0.exchange.exchanges },
      warm: {
        rps: warm.rps,
        p50: warm.p50,
        p99: warm.p99,
        cpuMicrosPerRequest: warm.cpuMicrosPerRequest,
        exchangeHitRate: hits / Math.max(1, hits + misses),
        exchanges: s2.exchange.exchanges - s1.exchange.exchanges,
      },
      rssMb: warm.rss / 2 ** 20,
    };
    log(`  ${callers} callers: cold ${step.cold.rps.toFixed(0)} req/s (${step.cold.exchanges} exchanges), warm ${warm.rps.toFixed(0)} req/s, hit rate ${(step.warm.exchangeHitRate * 100).toFixed(1)}%, rss ${step.rssMb.toFixed(0)} MB`);
    steps.push(step);
  }
  return steps;
}
