import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCluster } from './bench-cluster.js';
import type { BenchOptions } from './bench-options.js';
import { checkAnswer } from './check-answer.js';
import { summarizeCpuProfile, type CpuProfile, type ProfileSummary } from './cpu-profile-summary.js';
import { measure, type Measurement } from './measure.js';
import { EXPECTED_Q1, EXPECTED_Q2, Q1, Q2 } from './queries.js';

export interface ProfileResult {
  readonly query: 'Q1' | 'Q2';
  readonly file: string;
  readonly round: Measurement;
  readonly summary: ProfileSummary;
  /** True when the samples were limited to the timed round (start-up excluded). */
  readonly windowed: boolean;
}


/**
 * A fresh meshgate under `node --cpu-prof`: warmed up, then one timed round of `query`. The profile
 * is written when the process exits; only the samples of the timed round are summarized (the
 * child reports its monotonic clock, the profiler's time base, at the round's start and end).
 */
export async function profileMeshgate(cluster: BenchCluster, callerToken: string, options: BenchOptions, log: (line: string) => void, query: 'Q1' | 'Q2' = 'Q1'): Promise<ProfileResult> {
  const PROFILE_FILE = `meshgate-${query.toLowerCase()}.cpuprofile`;
  const [text, expected] = query === 'Q1' ? [Q1, EXPECTED_Q1] : [Q2, EXPECTED_Q2];
  // Profiles are large: kept out of the repository, in the temp directory; the path is printed.
  const dir = join(tmpdir(), 'meshgate-bench');
  await mkdir(dir, { recursive: true });
  const meshgate = await cluster.startMeshgate(undefined, { execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${PROFILE_FILE}`] });
  let round: Measurement;
  let from: number;
  let to: number;
  try {
    const headers = { authorization: `Bearer ${callerToken}` };
    const { text: answer } = await checkAnswer(`meshgate ${query} (profiled)`, meshgate.started.url, text, expected, headers);
    const target = { name: 'meshgate' as const, label: 'meshgate (profiled)', url: meshgate.started.url, headers, process: meshgate.child, downstream: [] };
    const load = { requests: [{ body: JSON.stringify({ query: text }) }], connections: options.connections, acceptBodies: new Set([answer]) };
    await measure(target, { ...load, durationSeconds: options.warmupSeconds });
    from = await meshgate.child.call<number>('clock');
    round = await measure(target, { ...load, durationSeconds: options.profileSeconds });
    to = await meshgate.child.call<number>('clock');
  } finally {
    await meshgate.child.stop();
  }
  const file = join(dir, PROFILE_FILE);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const windowed = from >= profile.startTime && to <= profile.endTime;
  const summary = summarizeCpuProfile(profile, windowed ? { from, to } : {});
  log(`profile: ${file} (${round.rps.toFixed(0)} req/s under the profiler, ${summary.sampledMs.toFixed(0)} ms sampled${windowed ? ' in the timed round' : ', whole process'})`);
  return { query, file, round, summary, windowed };
}
