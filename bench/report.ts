import type { CallersStep } from './callers.js';
import type { ComparisonResult } from './compare-gateways.js';
import { profileMarkdown, type ProfileSummary } from './cpu-profile-summary.js';
import { fmt } from './interleaved-rounds.js';
import type { MemoryResult } from './memory-run.js';
import type { SelectionsStep } from './selections.js';
import type { SubgraphScalingStep } from './subgraph-scaling.js';
import { Q1, Q2 } from './queries.js';
import { TARGET_LABELS, type TargetName } from './target.js';

/** Everything one run measured: what latest.json holds. */
export interface BenchResults {
  readonly date: string;
  readonly machine: {
    readonly node: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly loadBefore: readonly number[];
    readonly loadAfter: readonly number[];
    /** The calibration probe (bench/calibrate.ts) before and after the run, ms: higher is a busier machine. */
    readonly calibrationMs: readonly number[];
  };
  readonly options: Record<string, unknown>;
  readonly startMs: Readonly<Partial<Record<TargetName, number>>>;
  /** What was checked to show meshgate's security is on. */
  readonly securityChecks: readonly string[];
  /** Token exchanges meshgate made during the timed rounds (0: warm cache, as the goal says). */
  readonly exchangesDuringRounds: number;
  readonly comparison: ComparisonResult;
  readonly goals: readonly Goal[];
  readonly selections?: readonly SelectionsStep[];
  readonly callers?: readonly CallersStep[];
  readonly subgraphs?: readonly SubgraphScalingStep[];
  readonly memory?: Omit<MemoryResult, 'samples'> & { readonly samples: readonly MemoryResult['samples'][number][] };
  readonly profiles?: readonly { readonly query: 'Q1' | 'Q2'; readonly file: string; readonly rps: number; readonly windowed: boolean; readonly summary: ProfileSummary }[];
}

export interface Goal {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}

/** The issue's goals, checked against this run's numbers. */
export function checkGoals(c: ComparisonResult): Goal[] {
  const goals: Goal[] = [];
  const ratio = (q: 'Q1' | 'Q2', base: string) => c.ratios[q][base]!;
  for (const q of ['Q1', 'Q2'] as const) {
    goals.push({ goal: `${q} req/s ≥ 1.5× Apollo Gateway`, measured: `${fmt(ratio(q, 'apollo').rps, 2)}×`, met: ratio(q, 'apollo').rps >= 1.5 });
    goals.push({ goal: `${q} req/s ≥ 2× Hive Gateway`, measured: `${fmt(ratio(q, 'hive').rps, 2)}×`, met: ratio(q, 'hive').rps >= 2 });
    for (const base of ['apollo', 'hive'] as const) {
      goals.push({ goal: `${q} p99 no worse than ${base === 'apollo' ? 'Apollo' : 'Hive'}`, measured: `${fmt(ratio(q, base).p99, 2)}× theirs`, met: ratio(q, base).p99 <= 1 });
    }
  }
  const q1Cpu = c.summaries['meshgate Q1']!.cpuMicrosPerRequest;
  const q2Cpu = c.summaries['meshgate Q2']!.cpuMicrosPerRequest;
  goals.push({ goal: 'gateway CPU ≤ 450 µs per Q1 request', measured: `${fmt(q1Cpu, 0)} µs`, met: q1Cpu <= 450 });
  goals.push({ goal: 'gateway CPU ≤ 1 ms per Q2 request', measured: `${fmt(q2Cpu, 0)} µs`, met: q2Cpu <= 1000 });
  const added = c.latency.addedP50Ms['meshgate Q1']!;
  goals.push({ goal: 'one at a time: ≤ 0.4 ms added p50 over the subgraph (Q1)', measured: `${fmt(added, 3)} ms`, met: added <= 0.4 });
  return goals;
}

const SETUP = [
  '## Setup',
  '',
  '- Every part runs in its own process on loopback: the dev identity provider (`src/idp`), the `products` and `reviews` bench subgraphs (yoga 5, in-memory data), each target, and the load generator (autocannon, in the runner).',
  '- Each subgraph serves the same resolvers three ways: a stitching subgraph whose SDL carries `@authenticated` / `@requiresScopes` and which accepts only tokens of its own audience (what meshgate calls), the same without a token check (plain stitch, direct), and an Apollo Federation 2 subgraph (`buildSubgraphSchema`; Hive and Apollo).',
  `- Q1 \`${Q1}\` touches products only; Q2 \`${Q2}\` joins products and reviews.`,
  '- meshgate: `parseConfig` + `createGateway` + `listenGateway`; Entra token verification, authorization from the subgraphs\' directives, an OBO exchange per caller and subgraph audience (cached), audit off, log level warn.',
  '- Plain stitch: `stitchSchemas` with the stitching directives and `batch: true`, the documented print-and-fetch executor, yoga 5.',
  '- Hive Gateway: `createGatewayRuntime` over the supergraph that Apollo composed; HTTP transport = `buildHTTPExecutor` (what `@graphql-mesh/transport-http` does).',
  '- Apollo Gateway 2 (JS): `IntrospectAndCompose` on Apollo Server 5 standalone.',
  '- Upstream de-duplication: Hive `deduplicateInflightRequests: false` (its default is on) and `inboundInflightRequestDeduplication: false`; Apollo Gateway\'s `RemoteGraphQLDataSource` has none; meshgate\'s executor and the plain stitch executor have none.',
];

export function resultsMarkdown(r: BenchResults): string {
  const c = r.comparison;
  const out: string[] = [];
  const s = (key: string) => c.summaries[key];
  const cell = (key: string, pick: (x: NonNullable<ReturnType<typeof s>>) => number, digits: number) => {
    const x = s(key);
    return x ? fmt(pick(x), digits) : '';
  };
  out.push(`# meshgate benchmark`, '');
  out.push(
    `${r.date}; node ${r.machine.node}; ${r.machine.cpus} × ${r.machine.cpuModel}; load average ${r.machine.loadBefore.map((l) => l.toFixed(1)).join('/')} before, ${r.machine.loadAfter.map((l) => l.toFixed(1)).join('/')} after; calibration probe ${r.machine.calibrationMs.map((ms) => ms.toFixed(0)).join(' / ')} ms before / after (bench/calibrate.ts: fixed graphql-js work; higher means less CPU for each process).`,
    `All processes (identity provider, subgraphs, gateways, load generator) share this machine: absolute numbers move with whatever else runs; the **ratios** come from interleaved rounds (round r runs every target once, order rotated) and are the figures to compare. Upstream de-duplication is off everywhere. Every target was checked to return the same data for Q1 and Q2 before timing, and every timed response was compared byte for byte with that answer.`,
    '',
    `meshgate runs with full security, checked before timing: ${r.securityChecks.join('; ')}. Token exchanges during the timed rounds: ${r.exchangesDuringRounds} (warm exchange cache).`,
    '',
  );
  out.push(...SETUP, '');
  out.push(`## Throughput: ${c.connections} connections, ${c.rounds} interleaved rounds × ${c.roundSeconds} s`, '');
  out.push('| target | Q1 req/s | Q1 p50 ms | Q1 p99 ms | Q1 CPU µs/req | Q2 req/s | Q2 p50 ms | Q2 p99 ms | Q2 CPU µs/req | RSS MB |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const name of ['direct', 'stitch', 'hive', 'apollo', 'meshgate'] as const) {
    out.push(
      `| ${TARGET_LABELS[name]} | ${cell(`${name} Q1`, (x) => x.rps, 0)} | ${cell(`${name} Q1`, (x) => x.p50, 2)} | ${cell(`${name} Q1`, (x) => x.p99, 2)} | ${cell(`${name} Q1`, (x) => x.cpuMicrosPerRequest, 0)} | ${cell(`${name} Q2`, (x) => x.rps, 0)} | ${cell(`${name} Q2`, (x) => x.p50, 2)} | ${cell(`${name} Q2`, (x) => x.p99, 2)} | ${cell(`${name} Q2`, (x) => x.cpuMicrosPerRequest, 0)} | ${fmt(Math.max(s(`${name} Q1`)?.rssMb ?? 0, s(`${name} Q2`)?.rssMb ?? 0), 0)} |`,
    );
  }
  out.push('', `CPU is the target process's own (process.cpuUsage, all its threads) over the requests it answered. Behind meshgate, the subgraphs also verify a token per request and the identity provider is idle once the exchange cache is warm: subgraph + provider CPU per request was ${cell('meshgate Q1', (x) => x.downstreamCpuMicrosPerRequest, 0)} µs (Q1) and ${cell('meshgate Q2', (x) => x.downstreamCpuMicrosPerRequest, 0)} µs (Q2) for meshgate, ${cell('apollo Q1', (x) => x.downstreamCpuMicrosPerRequest, 0)} / ${cell('apollo Q2', (x) => x.downstreamCpuMicrosPerRequest, 0)} µs for Apollo Gateway.`, '');
  out.push('## meshgate / baseline (median of per-round ratios)', '');
  out.push('| baseline | Q1 req/s | Q2 req/s | Q1 p99 | Q2 p99 | Q1 CPU/req | Q2 CPU/req |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const name of ['direct', 'stitch', 'hive', 'apollo'] as const) {
    const q1 = c.ratios.Q1[name];
    const q2 = c.ratios.Q2[name];
    const x = (v: number | undefined) => (v === undefined ? '' : `${fmt(v, 2)}×`);
    out.push(`| ${TARGET_LABELS[name]} | ${x(q1?.rps)} | ${x(q2?.rps)} | ${x(q1?.p99)} | ${x(q2?.p99)} | ${x(q1?.cpu)} | ${x(q2?.cpu)} |`);
  }
  out.push('', 'req/s above 1× is meshgate faster; p99 and CPU below 1× is meshgate better.', '');
  out.push('## One request at a time (1 connection)', '');
  out.push('| target | Q1 p50 ms | Q1 added p50 over direct, ms | Q2 p50 ms |', '|---|---:|---:|---:|');
  for (const name of ['direct', 'direct-secured', 'stitch', 'hive', 'apollo', 'meshgate'] as const) {
    const l1 = c.latency.summaries[`${name} Q1`];
    const l2 = c.latency.summaries[`${name} Q2`];
    const added = c.latency.addedP50Ms[`${name} Q1`];
    out.push(`| ${TARGET_LABELS[name]} | ${l1 ? fmt(l1.p50, 3) : ''} | ${added === undefined ? '' : fmt(added, 3)} | ${l2 ? fmt(l2.p50, 3) : ''} |`);
  }
  out.push('', '## Goals (issue 7)', '', '| goal | measured | met |', '|---|---:|:---:|');
  for (const g of r.goals) out.push(`| ${g.goal} | ${g.measured} | ${g.met ? 'yes' : 'no'} |`);
  if (r.selections) {
    out.push('', `## Selections per query (${c.connections} connections)`, '', '| selections | direct req/s | stitch req/s | meshgate req/s | direct CPU µs/req | stitch CPU µs/req | meshgate CPU µs/req |', '|---:|---:|---:|---:|---:|---:|---:|');
    for (const step of r.selections) {
      const d = step.summaries.direct;
      const st = step.summaries.stitch;
      const m = step.summaries.meshgate;
      out.push(`| ${step.selections} | ${fmt(d?.rps ?? NaN, 0)} | ${fmt(st?.rps ?? NaN, 0)} | ${fmt(m?.rps ?? NaN, 0)} | ${fmt(d?.cpuMicrosPerRequest ?? NaN, 0)} | ${fmt(st?.cpuMicrosPerRequest ?? NaN, 0)} | ${fmt(m?.cpuMicrosPerRequest ?? NaN, 0)} |`);
    }
  }
  if (r.callers) {
    out.push('', '## Distinct callers (meshgate, Q1)', '', '| callers | first request each: req/s | exchanges | then: req/s | p99 ms | CPU µs/req | exchange cache hit rate | meshgate RSS MB |', '|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const step of r.callers) {
      out.push(`| ${step.callers} | ${fmt(step.cold.rps, 0)} | ${step.cold.exchanges} | ${fmt(step.warm.rps, 0)} | ${fmt(step.warm.p99, 2)} | ${fmt(step.warm.cpuMicrosPerRequest, 0)} | ${fmt(step.warm.exchangeHitRate * 100, 1)}% | ${fmt(step.rssMb, 0)} |`);
    }
  }
  if (r.subgraphs) {
    out.push('', '## Subgraphs in the graph (meshgate; the query touches one)', '', '| subgraphs | composeGraph ms | gateway start ms | req/s | p99 ms | CPU µs/req | RSS MB |', '|---:|---:|---:|---:|---:|---:|---:|');
    for (const step of r.subgraphs) {
      out.push(`| ${step.subgraphs} | ${fmt(step.composeMs, 0)} | ${fmt(step.gatewayStartMs, 0)} | ${fmt(step.rps, 0)} | ${fmt(step.p99, 2)} | ${fmt(step.cpuMicrosPerRequest, 0)} | ${fmt(step.rssMb, 0)} |`);
    }
  }
  if (r.memory) {
    const m = r.memory;
    out.push(
      '',
      `## Memory over ${m.seconds} s (fresh meshgate, Q1/Q2 alternating, ${m.callers} callers, full load)`,
      '',
      `${m.requests} requests (${fmt(m.rps, 0)} req/s). Heap in use after a full collection: ${fmt(m.retainedHeapStartMb, 1)} MB after warm-up, ${fmt(m.retainedHeapEndMb, 1)} MB after the run. RSS ${fmt(m.rssStartMb, 0)} MB at the start, ${fmt(m.rssEndMb, 0)} MB at the end, ${fmt(m.rssMaxMb, 0)} MB at most; slope over the second half: RSS ${fmt(m.rssSlopeMbPerMin, 2)} MB/min, heap (uncollected, sawtooth) ${fmt(m.heapSlopeMbPerMin, 2)} MB/min.`,
    );
  }
  for (const profile of r.profiles ?? []) {
    out.push('', `## Profile: meshgate under \`node --cpu-prof\`, one ${profile.query} round (${fmt(profile.rps, 0)} req/s under the profiler)`, '', profileMarkdown(profile.summary));
  }
  out.push('');
  return out.join('\n');
}
