import { measure, type Measurement } from './measure.js';
import type { LoadRequest } from './load.js';
import type { Target } from './target.js';

/** One thing to time: a target and what to send it. */
export interface RoundCase {
  readonly key: string;
  readonly target: Target;
  readonly requests: readonly LoadRequest[];
  readonly acceptBodies: ReadonlySet<string>;
}

export interface RoundOptions {
  readonly rounds: number;
  readonly seconds: number;
  readonly connections: number;
  /** A short untimed run of every case first (JIT, connection pools, exchange cache). */
  readonly warmupSeconds: number;
  readonly log: (line: string) => void;
}

/**
 * Times every case `rounds` times, interleaved: round r runs all cases once, in an order
 * rotated by r, so slow drift of the machine (other work, thermal) falls on every target alike
 * and the per-round ratios cancel it. Returns each case's measurements in round order.
 */
export async function interleavedRounds(cases: readonly RoundCase[], options: RoundOptions): Promise<Map<string, Measurement[]>> {
  const results = new Map<string, Measurement[]>(cases.map((c) => [c.key, []]));
  if (options.warmupSeconds > 0) {
    for (const c of cases) {
      await measure(c.target, { requests: c.requests, connections: options.connections, durationSeconds: options.warmupSeconds, acceptBodies: c.acceptBodies });
    }
  }
  for (let round = 0; round < options.rounds; round++) {
    const order = cases.map((_, i) => cases[(i + round) % cases.length]!);
    for (const c of order) {
      const m = await measure(c.target, { requests: c.requests, connections: options.connections, durationSeconds: options.seconds, acceptBodies: c.acceptBodies });
      if (m.failures > 0) throw new Error(`${c.key}: ${m.failures} failed or wrong answers during the round`);
      results.get(c.key)!.push(m);
      options.log(`  round ${round + 1}/${options.rounds} ${c.key.padEnd(18)} ${fmt(m.rps, 0).padStart(6)} req/s  p50 ${fmt(m.p50, 2)} ms  p99 ${fmt(m.p99, 2)} ms  cpu ${fmt(m.cpuMicrosPerRequest, 0)} µs/req`);
    }
  }
  return results;
}

/** Summary of a case over its rounds: medians, and CPU as total time over total requests. */
export interface CaseSummary {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMicrosPerRequest: number;
  readonly downstreamCpuMicrosPerRequest: number;
  readonly requests: number;
  /** The target process's largest resident memory after a round, MB. */
  readonly rssMb: number;
}

export function summarize(measurements: readonly Measurement[]): CaseSummary {
  const requests = measurements.reduce((a, m) => a + m.requests, 0);
  return {
    rps: median(measurements.map((m) => m.rps)),
    p50: median(measurements.map((m) => m.p50)),
    p99: median(measurements.map((m) => m.p99)),
    cpuMicrosPerRequest: measurements.reduce((a, m) => a + m.cpuMicros, 0) / Math.max(1, requests),
    downstreamCpuMicrosPerRequest: measurements.reduce((a, m) => a + m.downstreamCpuMicros, 0) / Math.max(1, requests),
    requests,
    rssMb: Math.max(...measurements.map((m) => m.rss)) / 2 ** 20,
  };
}

/** Median over rounds of a per-round comparison of two cases (their rounds ran side by side). */
export function pairedMedian(a: readonly Measurement[], b: readonly Measurement[], compare: (x: Measurement, y: Measurement) => number): number {
  return median(a.map((m, i) => compare(m, b[i]!)));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function fmt(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}
