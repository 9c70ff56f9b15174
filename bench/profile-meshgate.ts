import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCluster } from './bench-cluster.js';
import type { BenchOptions } from './bench-options.js';
import { checkAnswer } from './check-answer.js';
import { summarizeCpuProfile, type CpuProfile, type ProfileSummary } from './cpu-profile-summary.js';
import { measure, type Measurement } from './measure.js';
import { EXPECTED_Q1, Q1 } from './queries.js';

export interface ProfileResult {
  readonly file: string;
  readonly round: Measurement;
  readonly summary: ProfileSummary;
  /** True when the samples were limited to the timed round (start-up excluded). */
  readonly windowed: boolean;
}

export const PROFILE_FILE = 'meshgate-q1.cpuprofile';

/**
 * A fresh meshgate under `node --cpu-prof`: warmed up, then one timed Q1 round. The profile
 * is written when the process exits; only the samples of the timed round are summarized (the
 * child reports its monotonic clock, the profiler's time base, at the round's start and end).
 */
export async function profileMeshgate(cluster: BenchCluster, callerToken: string, options: BenchOptions, log: (line: string) => void): Promise<ProfileResult> {
  // Profiles are large: kept out of the repository, in the temp directory; the path is printed.
  const dir = join(tmpdir(), 'meshgate-bench');
  await mkdir(dir, { recursive: true });
  const meshgate = await cluster.startMeshgate(undefined, { execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${PROFILE_FILE}`] });
  let round: Measurement;
  let from: number;
  let to: number;
  try {
    const headers = { authorization: `Bearer ${callerToken}` };
    const { text } = await checkAnswer('meshgate Q1 (profiled)', meshgate.started.url, Q1, EXPECTED_Q1, headers);
    const target = { name: 'meshgate' as const, label: 'meshgate (profiled)', url: meshgate.started.url, headers, process: meshgate.child, downstream: [] };
    const load = { requests: [{ body: JSON.stringify({ query: Q1 }) }], connections: options.connections, acceptBodies: new Set([text]) };
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
  return { file, round, summary, windowed };
}
