import type { BenchChild } from './bench-child.js';

export type TargetName = 'direct' | 'direct-secured' | 'stitch' | 'meshgate' | 'hive' | 'apollo';

/** Something the load generator calls: a gateway, or a subgraph called directly. */
export interface Target {
  readonly name: TargetName;
  readonly label: string;
  readonly url: string;
  /** Sent with every request (meshgate and the secured subgraph: a bearer token). */
  readonly headers: Readonly<Record<string, string>>;
  /** The process whose CPU time is "the target's". */
  readonly process: BenchChild;
  /** Processes behind it (subgraphs, identity provider): their CPU is reported separately. */
  readonly downstream: readonly BenchChild[];
}

export const TARGET_LABELS: Readonly<Record<TargetName, string>> = {
  direct: 'subgraph called directly',
  'direct-secured': 'subgraph called directly, own-audience token checked',
  stitch: 'plain @graphql-tools/stitch on yoga, no security',
  meshgate: 'meshgate, full security',
  hive: 'Hive Gateway (gateway-runtime), no security',
  apollo: 'Apollo Gateway (JS), no security',
};
