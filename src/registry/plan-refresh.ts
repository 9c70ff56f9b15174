import type { SubgraphSdl } from '../stitching/load-subgraph-sdl.js';
import type { Candidate, GraphManager, ServedGraph, SubgraphEndpoint, SubgraphProblem } from './graph-manager.js';
import { isBlocking, type SchemaChange } from './schema-changes.js';

/** One subgraph's SDL as just fetched, or why it could not be. */
export type FetchedSdl = { readonly endpoint: SubgraphEndpoint; readonly sdl: SubgraphSdl } | { readonly endpoint: SubgraphEndpoint; readonly error: Error };

/** What a refresh would do; nothing has changed yet. */
export interface RefreshPlan<S extends ServedGraph> {
  /** The graph with every accepted change, if any was. */
  readonly candidate: Candidate<S> | undefined;
  /** Subgraphs whose new SDL is accepted. */
  readonly updated: ReadonlyMap<string, SubgraphSdl>;
  /** Every change the accepted SDLs make, together. */
  readonly changes: readonly SchemaChange[];
  /** Subgraphs served as they are now (a problem they had is over). */
  readonly fine: readonly string[];
  /** Subgraphs kept on their last good version, and why. */
  readonly problems: readonly Omit<SubgraphProblem, 'since'>[];
}

/** Fetches every endpoint's SDL, each failure kept as a value. */
export function fetchAll(endpoints: readonly SubgraphEndpoint[], loadSdl: (endpoint: SubgraphEndpoint) => Promise<SubgraphSdl>): Promise<FetchedSdl[]> {
  return Promise.all(
    endpoints.map(async (endpoint): Promise<FetchedSdl> => {
      try {
        return { endpoint, sdl: await loadSdl(endpoint) };
      } catch (error) {
        return { endpoint, error: error as Error };
      }
    }),
  );
}

/**
 * Decides, subgraph by subgraph, which fetched SDLs may replace what is served: each must
 * compose with the graph as the previous ones left it and bring no breaking change and no
 * weakened access rule. The others keep their last good version and become problems. Run under
 * `manager.exclusive`; `isCurrent` says whether an endpoint is still the registered one (an
 * admin's change made while the SDL was fetched wins over the refresh).
 */
export async function planRefresh<S extends ServedGraph>(manager: GraphManager<S>, fetched: readonly FetchedSdl[], isCurrent: (endpoint: SubgraphEndpoint) => boolean): Promise<RefreshPlan<S>> {
  let working = manager.serving;
  let base = manager.current;
  let candidate: Candidate<S> | undefined;
  const updated = new Map<string, SubgraphSdl>();
  const changes: SchemaChange[] = [];
  const fine: string[] = [];
  const problems: Omit<SubgraphProblem, 'since'>[] = [];
  const incompatible = (subgraph: string, reason: string, changes: Candidate<S>['changes'] = []) =>
    problems.push({ subgraph, kind: 'incompatible', reason: `not swapped in, serving the last good version: ${reason}`, ...(changes.length ? { changes } : {}) });

  for (const item of fetched) {
    const name = item.endpoint.name;
    if (!isCurrent(item.endpoint)) continue;
    if ('error' in item) {
      problems.push({ subgraph: name, kind: 'unreachable', reason: `SDL refresh failed, serving the last good version: ${item.error.message}` });
      continue;
    }
    if (working.get(name)?.sdl.sdl === item.sdl.sdl) {
      fine.push(name);
      continue;
    }
    let next: Candidate<S>;
    try {
      next = await manager.prepare(new Map(working).set(name, { endpoint: item.endpoint, sdl: item.sdl }), { base: base ?? null, changed: name });
    } catch (error) {
      incompatible(name, (error as Error).message);
      continue;
    }
    const blocking = next.changes.filter(isBlocking);
    if (blocking.length > 0) {
      incompatible(name, `its new SDL has ${blocking.length} breaking change(s) or weakened access rule(s): ${blocking.map((c) => c.message).join('; ')}`, blocking);
      continue;
    }
    working = next.subgraphs;
    base = next.state;
    candidate = next;
    updated.set(name, item.sdl);
    changes.push(...next.changes);
  }
  return { candidate, updated, changes, fine, problems };
}
