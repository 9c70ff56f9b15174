/**
 * Reads a V8 `.cpuprofile` (what `node --cpu-prof` writes) and says where the time went:
 * self time per function and per area (package, meshgate folder, Node internals, GC).
 */

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  /** µs, on the same monotonic clock as process.hrtime. */
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the sampled time in the window, 0..1. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly sampledMs: number;
  /** Busy share: everything but `(idle)`. */
  readonly busyShare: number;
  readonly functions: readonly SelfTime[];
  readonly areas: readonly SelfTime[];
  /** meshgate's own functions (dist/src) by inclusive time: themselves and all they call. */
  readonly meshgateInclusive: readonly SelfTime[];
}

/**
 * Sums self time per function and per area over the samples taken between `from` and `to`
 * (µs on the profile's clock; default: the whole profile).
 */
export function summarizeCpuProfile(profile: CpuProfile, window: { from?: number; to?: number } = {}, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const inclusive = new Map<string, number>();
  const perFunction = new Map<string, number>();
  const perArea = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if ((window.from !== undefined && t < window.from) || (window.to !== undefined && t > window.to)) continue;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    total += delta;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idle += delta;
    const name = url ? `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}` : functionName || '(anonymous)';
    perFunction.set(name, (perFunction.get(name) ?? 0) + delta);
    const area = areaOf(functionName, url);
    perArea.set(area, (perArea.get(area) ?? 0) + delta);
    // Each meshgate function on the stack counts once per sample (recursion is not double-counted).
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!frame.url.includes('/dist/src/')) continue;
      const key = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + delta);
    }
  }
  const rank = (map: Map<string, number>, n: number): SelfTime[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: total > 0 ? us / total : 0 }));
  return {
    sampledMs: total / 1000,
    busyShare: total > 0 ? (total - idle) / total : 0,
    functions: rank(perFunction, top),
    areas: rank(perArea, 40),
    meshgateInclusive: rank(inclusive, 20),
  };
}

/** A package name, a meshgate folder, a Node subsystem, or a V8 pseudo-frame. */
export function areaOf(functionName: string, url: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'native / builtins';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + '/node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? 'node_modules');
  }
  const dist = /\/dist\/(src|bench|subgraphs)\/([^/]+)/.exec(url);
  if (dist) return dist[1] === 'src' ? `meshgate src/${dist[2]!.replace(/\.js$/, '')}` : dist[1]!;
  if (url.startsWith('node:')) {
    if (url.includes('undici')) return 'node: fetch (undici)';
    if (/http|_http/.test(url)) return 'node: http';
    if (url.includes('stream')) return 'node: streams';
    if (/net|dns|tcp/.test(url)) return 'node: net';
    if (/timers|task_queues|process/.test(url)) return 'node: timers / microtasks';
    return 'node: other';
  }
  return 'other';
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

/** The summary as Markdown tables. */
export function profileMarkdown(summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
  const lines = [
    `Sampled ${summary.sampledMs.toFixed(0)} ms, busy ${pct(summary.busyShare)}.`,
    '',
    '| area | self ms | share |',
    '|---|---:|---:|',
    ...summary.areas.map((a) => `| ${a.name} | ${a.selfMs.toFixed(0)} | ${pct(a.share)} |`),
    '',
    '| function (self time) | self ms | share |',
    '|---|---:|---:|',
    ...summary.functions.map((f) => `| \`${f.name.replace(/\|/g, '\\|')}\` | ${f.selfMs.toFixed(0)} | ${pct(f.share)} |`),
    '',
    '| meshgate function (inclusive: itself and what it calls) | ms | share |',
    '|---|---:|---:|',
    ...summary.meshgateInclusive.map((f) => `| \`${f.name.replace(/\|/g, '\\|')}\` | ${f.selfMs.toFixed(0)} | ${pct(f.share)} |`),
  ];
  return lines.join('\n');
}
