import { parse, print } from 'graphql';
import { Q2 } from './queries.js';

/**
 * A fixed piece of CPU work (parse and print Q2 5,000 times with graphql-js, the kind of work
 * a gateway does), timed in the runner before and after the run. On a shared machine it shows
 * how much CPU a process got at that moment: when it is slow, absolute figures are inflated
 * and only the interleaved ratios mean much.
 */
export function calibrate(): number {
  const started = performance.now();
  let length = 0;
  for (let i = 0; i < 5_000; i++) length += print(parse(Q2)).length;
  if (length === 0) throw new Error('unreachable');
  return performance.now() - started;
}
