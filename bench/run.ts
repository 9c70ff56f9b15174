import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BenchCluster } from './bench-cluster.js';
import { benchOptions } from './bench-options.js';
import { measureCallers } from './callers.js';
import { calibrate } from './calibrate.js';
import { checkSecurity } from './check-security.js';
import { checkTargets, compareGateways, startTargets } from './compare-gateways.js';
import { measureMemory } from './memory-run.js';
import type { MeshgateStats } from './process-payloads.js';
import { profileMeshgate } from './profile-meshgate.js';
import { checkGoals, resultsMarkdown, type BenchResults } from './report.js';
import { measureSelections } from './selections.js';
import { measureSubgraphScaling } from './subgraph-scaling.js';

/**
 * `npm run bench`: starts the identity provider, the bench subgraphs and every target, each
 * in its own process; checks that they all give the same answers; times them in interleaved
 * rounds; measures how meshgate's cost grows; writes bench/results/latest.{json,md}.
 * Options are environment variables (see bench-options.ts), e.g. `BENCH_QUICK=1`.
 */

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const options = benchOptions();
  const loadBefore = loadavg();
  calibrate(); // JIT warm-up of the probe itself
  const calibrationBefore = calibrate();
  log(`meshgate bench${options.quick ? ' (quick)' : ''}: node ${process.version}, ${cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, calibration ${calibrationBefore.toFixed(0)} ms`);
  const cluster = await BenchCluster.start();
  const stop = () => {
    cluster.killAll();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const targets = await startTargets(cluster);
    for (const t of targets.all.values()) log(`  ${t.name.padEnd(15)} ${t.url} (pid ${t.process.pid})`);
    log(`  identity provider pid ${cluster.idp.pid}`);
    const bodies = await checkTargets(targets);
    log('checked: every target answers Q1 and Q2 with the expected data');
    const securityChecks = await checkSecurity(cluster, targets);
    log(`checked: ${securityChecks.join('; ')}`);
    const meshgate = targets.all.get('meshgate')!;
    const exchangeBefore = await meshgate.process.call<MeshgateStats>('stats');
    const comparison = await compareGateways(targets, bodies, options, log);
    const exchangeAfter = await meshgate.process.call<MeshgateStats>('stats');
    const exchangesDuringRounds = exchangeAfter.exchange.exchanges - exchangeBefore.exchange.exchanges;
    log(`token exchanges during the timed rounds: ${exchangesDuringRounds} (the cache was warm)`);
    const selections = await measureSelections(targets, options, log);
    const callers = await measureCallers(cluster, meshgate, bodies.get('meshgate Q1')!, options, log);
    // The baselines are done: stop every gateway so that the rest runs on a quieter machine.
    await Promise.all(targets.gateways.map((g) => g.stop()));
    const memory = await measureMemory(cluster, options, log);
    log('subgraphs:');
    const subgraphs = await measureSubgraphScaling(cluster, targets.callerToken, options, log);
    const profiles = [];
    if (options.profile) for (const query of ['Q1', 'Q2'] as const) profiles.push(await profileMeshgate(cluster, targets.callerToken, options, log, query));

    const results: BenchResults = {
      date: new Date().toISOString(),
      machine: {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        loadBefore,
        loadAfter: loadavg(),
        calibrationMs: [calibrationBefore, calibrate()],
      },
      options: { ...options },
      startMs: targets.startMs,
      securityChecks,
      exchangesDuringRounds,
      comparison,
      goals: checkGoals(comparison),
      selections,
      callers,
      subgraphs,
      memory,
      ...(profiles.length ? { profiles: profiles.map((p) => ({ query: p.query, file: p.file, rps: p.round.rps, windowed: p.windowed, summary: p.summary })) } : {}),
    };
    await mkdir(options.outDir, { recursive: true });
    await writeFile(join(options.outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    const markdown = resultsMarkdown(results);
    await writeFile(join(options.outDir, 'latest.md'), markdown);
    log('');
    log(markdown);
    log(`written: ${join(options.outDir, 'latest.json')}, ${join(options.outDir, 'latest.md')}`);
  } finally {
    await cluster.stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
