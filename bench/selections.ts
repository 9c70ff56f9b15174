import type { BenchOptions } from './bench-options.js';
import { checkAnswer } from './check-answer.js';
import type { Targets } from './compare-gateways.js';
import { interleavedRounds, summarize, type CaseSummary } from './interleaved-rounds.js';
import { expectedWide, wideQuery } from './queries.js';
import type { TargetName } from './target.js';

export interface SelectionsStep {
  readonly selections: number;
  readonly summaries: Partial<Record<TargetName, CaseSummary>>;
}

const SELECTION_TARGETS: readonly TargetName[] = ['direct', 'stitch', 'meshgate'];

/**
 * How cost grows with the size of the operation: one object with 10 → 500 leaf selections
 * (every tenth under a scope rule), on the subgraph directly, the plain stitch gateway and
 * meshgate, interleaved per size.
 */
export async function measureSelections(targets: Targets, options: BenchOptions, log: (line: string) => void): Promise<SelectionsStep[]> {
  const steps: SelectionsStep[] = [];
  for (const selections of options.selections) {
    const query = wideQuery(selections);
    const cases = [];
    for (const name of SELECTION_TARGETS) {
      const target = targets.all.get(name)!;
      const { text } = await checkAnswer(`${name} wide(${selections})`, target.url, query, expectedWide(selections), target.headers);
      cases.push({ key: `${name} wide${selections}`, target, requests: [{ body: JSON.stringify({ query }) }], acceptBodies: new Set([text]) });
    }
    log(`selections: ${selections}`);
    const rounds = await interleavedRounds(cases, {
      rounds: options.quick ? 1 : 2,
      seconds: options.scalingSeconds,
      connections: options.connections,
      warmupSeconds: options.quick ? 0.5 : 1,
      log,
    });
    const summaries: Partial<Record<TargetName, CaseSummary>> = {};
    for (const name of SELECTION_TARGETS) summaries[name] = summarize(rounds.get(`${name} wide${selections}`)!);
    steps.push({ selections, summaries });
  }
  return steps;
}
