import { parse } from 'graphql';
import type { Executor } from '@graphql-tools/utils';
import { composeGraph } from '../src/stitching/compose-graph.js';
import type { BenchCluster } from './bench-cluster.js';
import { scalingSubgraphApp } from './bench-directory.js';
import type { BenchOptions } from './bench-options.js';
import { checkAnswer } from './check-answer.js';
import { median } from './interleaved-rounds.js';
import type { StartedServer } from './ipc-protocol.js';
import { measure } from './measure.js';
import { scalingSubgraphPath, type ScalingSubgraphsStart } from './process-payloads.js';
import { itemsQuery, TOP } from './queries.js';
import { expectedItems, scalingSubgraph } from './subgraphs/scaling-subgraph.js';

export interface SubgraphScalingStep {
  readonly subgraphs: number;
  /** composeGraph alone (stitching + rule extraction + checks), median of 3, ms. */
  readonly composeMs: number;
  /** meshgate's start: SDL reads with its own tokens, composition, keys, ms. */
  readonly gatewayStartMs: number;
  /** A query that touches one of the subgraphs. */
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMicrosPerRequest: number;
  readonly rssMb: number;
}

const noExecutor: Executor = async () => ({ data: null });

/**
 * Subgraphs 3 → 30: composition time, and meshgate's per-request cost for a query that
 * touches one subgraph while the graph grows (every generated subgraph adds its own type, a
 * root field and a share of a `Product` type merged across all of them).
 */
export async function measureSubgraphScaling(
  cluster: BenchCluster,
  callerToken: string,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<SubgraphScalingStep[]> {
  const steps: SubgraphScalingStep[] = [];
  for (const count of options.subgraphCounts) {
    const composeTimes: number[] = [];
    for (let run = 0; run < 3; run++) {
      const inputs = Array.from({ length: count }, (_, i) => {
        const { sdl } = scalingSubgraph(i);
        return { name: `sg${i}`, sdl: { sdl, document: parse(sdl) }, executor: noExecutor };
      });
      const started = performance.now();
      composeGraph(inputs);
      composeTimes.push(performance.now() - started);
    }
    const payload: ScalingSubgraphsStart = { count, issuer: cluster.idpInfo.issuer, jwksUri: cluster.idpInfo.jwksUri };
    const host = await cluster.startChild<StartedServer>(`subgraphs×${count}`, 'scaling-subgraphs', payload);
    try {
      const meshgate = await cluster.startMeshgate(
        Array.from({ length: count }, (_, i) => ({ name: `sg${i}`, url: `${host.started.url}${scalingSubgraphPath(i)}`, audience: scalingSubgraphApp(i).appIdUri })),
      );
      try {
        const headers = { authorization: `Bearer ${callerToken}` };
        const query = itemsQuery(0);
        const { text } = await checkAnswer(`meshgate over ${count} subgraphs`, meshgate.started.url, query, expectedItems(0, TOP), headers);
        const target = { name: 'meshgate' as const, label: `meshgate, ${count} subgraphs`, url: meshgate.started.url, headers, process: meshgate.child, downstream: [host.child] };
        const load = { requests: [{ body: JSON.stringify({ query }) }], connections: options.connections, acceptBodies: new Set([text]) };
        // Long enough for the JIT to settle: its compiler threads count as the process's CPU.
        await measure(target, { ...load, durationSeconds: options.quick ? 1 : 3 });
        const m = await measure(target, { ...load, durationSeconds: options.scalingSeconds });
        if (m.failures > 0) throw new Error(`${count} subgraphs: ${m.failures} failed or wrong answers`);
        const step: SubgraphScalingStep = {
          subgraphs: count,
          composeMs: median(composeTimes),
          gatewayStartMs: meshgate.started.startMs,
          rps: m.rps,
          p50: m.p50,
          p99: m.p99,
          cpuMicrosPerRequest: m.cpuMicrosPerRequest,
          rssMb: m.rss / 2 ** 20,
        };
        log(`  ${count} subgraphs: compose ${step.composeMs.toFixed(0)} ms, gateway start ${step.gatewayStartMs.toFixed(0)} ms, ${m.rps.toFixed(0)} req/s, ${m.cpuMicrosPerRequest.toFixed(0)} µs/req, rss ${step.rssMb.toFixed(0)} MB`);
        steps.push(step);
      } finally {
        await meshgate.child.stop();
      }
    } finally {
      await host.child.stop();
    }
  }
  return steps;
}
