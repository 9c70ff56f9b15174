import type { BenchChild } from './bench-child.js';
import type { BenchCluster } from './bench-cluster.js';
import { BENCH_APPS } from './bench-directory.js';
import type { BenchOptions } from './bench-options.js';
import { checkAnswer } from './check-answer.js';
import { interleavedRounds, pairedMedian, summarize, type CaseSummary, type RoundCase } from './interleaved-rounds.js';
import type { StartedServer } from './ipc-protocol.js';
import type { Measurement } from './measure.js';
import { BENCH_SUBGRAPH_PATHS } from './process-payloads.js';
import { EXPECTED_Q1, EXPECTED_Q2, Q1, Q2 } from './queries.js';
import { TARGET_LABELS, type Target, type TargetName } from './target.js';

export type QueryName = 'Q1' | 'Q2';
const QUERIES: Readonly<Record<QueryName, { text: string; expected: unknown }>> = { Q1: { text: Q1, expected: EXPECTED_Q1 }, Q2: { text: Q2, expected: EXPECTED_Q2 } };

/** The targets of the comparison, started over the cluster's subgraphs. */
export interface Targets {
  readonly all: ReadonlyMap<TargetName, Target>;
  /** The caller's token for meshgate. */
  readonly callerToken: string;
  /** Composition / start time of each gateway, ms. */
  readonly startMs: Readonly<Partial<Record<TargetName, number>>>;
  /** The gateway children, to stop them when the comparison is done. */
  readonly gateways: readonly BenchChild[];
}

export async function startTargets(cluster: BenchCluster): Promise<Targets> {
  const downstream = [cluster.products, cluster.reviews];
  const [stitch, meshgate, apollo] = await Promise.all([
    cluster.startChild<StartedServer>('stitch', 'stitch-gateway', { subgraphs: cluster.endpoints('open') }),
    cluster.startMeshgate(),
    cluster.startChild<StartedServer & { supergraphSdl: string }>('apollo', 'apollo-gateway', { subgraphs: cluster.endpoints('federation') }),
  ]);
  const hive = await cluster.startChild<StartedServer>('hive', 'hive-gateway', { supergraphSdl: apollo.started.supergraphSdl });
  const [callerToken] = await cluster.mint(0, 1);
  const [subgraphToken] = await cluster.mint(0, 1, { audience: BENCH_APPS.products.clientId });
  const target = (name: TargetName, url: string, child: BenchChild, headers: Record<string, string> = {}, behind: BenchChild[] = downstream): Target => ({
    name,
    label: TARGET_LABELS[name],
    url,
    headers,
    process: child,
    downstream: behind,
  });
  const all = new Map<TargetName, Target>([
    ['direct', target('direct', `${cluster.origins.products}${BENCH_SUBGRAPH_PATHS.open}`, cluster.products, {}, [])],
    ['direct-secured', target('direct-secured', `${cluster.origins.products}${BENCH_SUBGRAPH_PATHS.secured}`, cluster.products, { authorization: `Bearer ${subgraphToken}` }, [])],
    ['stitch', target('stitch', stitch.started.url, stitch.child)],
    // The identity provider counts as downstream of meshgate: it does the exchanges.
    ['meshgate', target('meshgate', meshgate.started.url, meshgate.child, { authorization: `Bearer ${callerToken}` }, [...downstream, cluster.idp])],
    ['hive', target('hive', hive.started.url, hive.child)],
    ['apollo', target('apollo', apollo.started.url, apollo.child)],
  ]);
  return {
    all,
    callerToken: callerToken!,
    startMs: { stitch: stitch.started.startMs, meshgate: meshgate.started.startMs, apollo: apollo.started.startMs, hive: hive.started.startMs },
    gateways: [stitch.child, meshgate.child, apollo.child, hive.child],
  };
}

/** Which targets answer which query: a lone subgraph cannot join. */
const QUERY_TARGETS: Readonly<Record<QueryName, readonly TargetName[]>> = {
  Q1: ['direct', 'stitch', 'meshgate', 'hive', 'apollo'],
  Q2: ['stitch', 'meshgate', 'hive', 'apollo'],
};
const LATENCY_TARGETS: Readonly<Record<QueryName, readonly TargetName[]>> = {
  Q1: ['direct', 'direct-secured', 'stitch', 'meshgate', 'hive', 'apollo'],
  Q2: ['stitch', 'meshgate', 'hive', 'apollo'],
};

/**
 * Asks every target Q1 and Q2 and compares the data with the expected answer (deep-equal);
 * throws on the first difference. Returns the raw bodies, which every timed response must
 * then match byte for byte.
 */
export async function checkTargets(targets: Targets): Promise<Map<string, Set<string>>> {
  const bodies = new Map<string, Set<string>>();
  for (const query of ['Q1', 'Q2'] as const) {
    const names = new Set([...QUERY_TARGETS[query], ...LATENCY_TARGETS[query]]);
    for (const name of names) {
      const t = targets.all.get(name)!;
      const { text } = await checkAnswer(`${name} ${query}`, t.url, QUERIES[query].text, QUERIES[query].expected, t.headers);
      bodies.set(`${name} ${query}`, new Set([text]));
    }
  }
  return bodies;
}

/** Per query: each target's summary, and meshgate's ratios to each baseline. */
export interface ComparisonResult {
  readonly connections: number;
  readonly rounds: number;
  readonly roundSeconds: number;
  readonly summaries: Record<string, CaseSummary>;
  readonly ratios: Record<QueryName, Record<string, { rps: number; p99: number; cpu: number }>>;
  readonly latency: {
    readonly summaries: Record<string, CaseSummary>;
    /** Median over rounds of (target p50 − direct p50), ms: one request at a time. */
    readonly addedP50Ms: Record<string, number>;
  };
  readonly rawRounds: Record<string, readonly Measurement[]>;
}

export async function compareGateways(targets: Targets, bodies: Map<string, Set<string>>, options: BenchOptions, log: (line: string) => void): Promise<ComparisonResult> {
  const cases = (table: Readonly<Record<QueryName, readonly TargetName[]>>): RoundCase[] =>
    (['Q1', 'Q2'] as const).flatMap((query) =>
      table[query].map((name) => ({
        key: `${name} ${query}`,
        target: targets.all.get(name)!,
        requests: [{ body: JSON.stringify({ query: QUERIES[query].text }) }],
        acceptBodies: bodies.get(`${name} ${query}`)!,
      })),
    );

  log(`throughput: ${options.rounds} interleaved rounds × ${options.roundSeconds} s, ${options.connections} connections`);
  const rounds = await interleavedRounds(cases(QUERY_TARGETS), {
    rounds: options.rounds,
    seconds: options.roundSeconds,
    connections: options.connections,
    warmupSeconds: options.warmupSeconds,
    log,
  });
  const summaries: Record<string, CaseSummary> = {};
  for (const [key, ms] of rounds) summaries[key] = summarize(ms);
  const ratios = { Q1: {}, Q2: {} } as ComparisonResult['ratios'];
  for (const query of ['Q1', 'Q2'] as const) {
    const mesh = rounds.get(`meshgate ${query}`)!;
    for (const name of QUERY_TARGETS[query]) {
      if (name === 'meshgate') continue;
      const base = rounds.get(`${name} ${query}`)!;
      ratios[query][name] = {
        rps: pairedMedian(mesh, base, (m, b) => m.rps / b.rps),
        p99: pairedMedian(mesh, base, (m, b) => m.p99 / b.p99),
        cpu: summaries[`meshgate ${query}`]!.cpuMicrosPerRequest / summaries[`${name} ${query}`]!.cpuMicrosPerRequest,
      };
    }
  }

  log(`latency: one request at a time, ${options.latencyRounds} interleaved rounds × ${options.latencySeconds} s`);
  const latencyRounds = await interleavedRounds(cases(LATENCY_TARGETS), {
    rounds: options.latencyRounds,
    seconds: options.latencySeconds,
    connections: 1,
    warmupSeconds: 0,
    log,
  });
  const latencySummaries: Record<string, CaseSummary> = {};
  for (const [key, ms] of latencyRounds) latencySummaries[key] = summarize(ms);
  const direct = latencyRounds.get('direct Q1')!;
  const addedP50Ms: Record<string, number> = {};
  for (const [key, ms] of latencyRounds) {
    if (key !== 'direct Q1') addedP50Ms[key] = pairedMedian(ms, direct, (m, d) => m.p50 - d.p50);
  }

  const rawRounds: Record<string, readonly Measurement[]> = {};
  for (const [key, ms] of rounds) rawRounds[key] = ms;
  return {
    connections: options.connections,
    rounds: options.rounds,
    roundSeconds: options.roundSeconds,
    summaries,
    ratios,
    latency: { summaries: latencySummaries, addedP50Ms },
    rawRounds,
  };
}
