import { runLoad, type LoadOptions, type LoadResult } from './load.js';
import type { ProcessUsage } from './ipc-protocol.js';
import type { Target } from './target.js';

/** One load run against one target, with the CPU time its process (and those behind it) spent. */
export interface Measurement extends LoadResult {
  /** CPU time of the target's process during the run, µs. */
  readonly cpuMicros: number;
  /** CPU time of the processes behind it (subgraphs, identity provider), µs. */
  readonly downstreamCpuMicros: number;
  readonly cpuMicrosPerRequest: number;
  readonly downstreamCpuMicrosPerRequest: number;
  /** Resident memory of the target's process after the run, bytes. */
  readonly rss: number;
}

/**
 * Runs the load against `target`, reading the CPU time of each process before and after over
 * IPC (process.cpuUsage() in the process itself, so nothing else is counted).
 */
export async function measure(target: Target, load: Omit<LoadOptions, 'url' | 'headers'>): Promise<Measurement> {
  const before = await usages(target);
  const result = await runLoad({ ...load, url: target.url, headers: target.headers });
  const after = await usages(target);
  const cpuMicros = after[0]!.cpuMicros - before[0]!.cpuMicros;
  let downstreamCpuMicros = 0;
  for (let i = 1; i < after.length; i++) downstreamCpuMicros += after[i]!.cpuMicros - before[i]!.cpuMicros;
  const n = Math.max(1, result.requests);
  return {
    ...result,
    cpuMicros,
    downstreamCpuMicros,
    cpuMicrosPerRequest: cpuMicros / n,
    downstreamCpuMicrosPerRequest: downstreamCpuMicros / n,
    rss: after[0]!.rss,
  };
}

function usages(target: Target): Promise<ProcessUsage[]> {
  return Promise.all([target.process, ...target.downstream].map((child) => child.usage()));
}
