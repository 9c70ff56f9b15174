import type { SubgraphTokenPolicy } from '../exchange/exchange-settings.js';
import { MeshgateError } from '../errors.js';
import type { ComposedGraph } from '../stitching/compose-graph.js';
import { parseSdl, type SubgraphSdl } from '../stitching/load-subgraph-sdl.js';
import { RegistryError } from './registry-error.js';
import { schemaChanges, type SchemaChange } from './schema-changes.js';

/** Where a subgraph is and how the gateway gets its tokens. */
export interface SubgraphEndpoint {
  readonly name: string;
  readonly url: string;
  readonly policy: SubgraphTokenPolicy;
  /** config: from the config file (read-only at run time); registry: registered through the admin API. */
  readonly origin: 'config' | 'registry';
}

/** A subgraph with the SDL it is (or would be) served with. */
export interface LoadedSubgraph {
  readonly endpoint: SubgraphEndpoint;
  readonly sdl: SubgraphSdl;
}

/** The least a served graph state carries; the gateway adds what enforcement derives from it. */
export interface ServedGraph {
  readonly graph: ComposedGraph;
}

/** A graph built and compared with the one being served, not yet serving. */
export interface Candidate<S extends ServedGraph> {
  readonly state: S;
  readonly subgraphs: ReadonlyMap<string, LoadedSubgraph>;
  readonly changes: readonly SchemaChange[];
}

/** Why a subgraph is not served as it is now (the last good version is). */
export interface SubgraphProblem {
  readonly subgraph: string;
  readonly kind: 'unreachable' | 'incompatible';
  /** For the owner (admin API, log); may name URLs, so never on unauthenticated endpoints. */
  readonly reason: string;
  readonly changes?: readonly SchemaChange[];
  readonly since: string;
}

/** Options of `GraphManager`. */
export interface GraphManagerOptions<S extends ServedGraph> {
  /**
   * Composes subgraphs into a servable state (stitching, rules, planner). Throws
   * `CompositionError` / `AuthorizationRuleError` naming what does not compose.
   */
  build(subgraphs: readonly LoadedSubgraph[]): S;
  /** Told of every state that starts serving (the gateway keeps it for its request path). */
  readonly onCommit?: (state: S) => void;
  readonly now?: () => number;
}

/**
 * The graph being served and how it changes: a candidate is built and compared off to the side,
 * then `commit` swaps it in with one assignment. A request keeps the schema it started with
 * (yoga resolves the schema once per request, and the gateway keys enforcement by schema), so
 * requests in flight finish on their graph while new ones get the new graph.
 *
 * Every change goes through `exclusive`: one at a time, each built on the graph its
 * predecessor left, so concurrent registrations never lose one another.
 */
export class GraphManager<S extends ServedGraph> {
  readonly #build: (subgraphs: readonly LoadedSubgraph[]) => S;
  readonly #onCommit: ((state: S) => void) | undefined;
  readonly #now: () => number;
  #serving: { readonly state: S; readonly subgraphs: ReadonlyMap<string, LoadedSubgraph> } | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #problems = new Map<string, SubgraphProblem>();

  constructor(options: GraphManagerOptions<S>) {
    if (typeof options.build !== 'function') throw new TypeError('GraphManager: build must be a function');
    this.#build = options.build;
    this.#onCommit = options.onCommit;
    this.#now = options.now ?? Date.now;
  }

  /** The state being served; undefined before the first graph. */
  get current(): S | undefined {
    return this.#serving?.state;
  }

  /** The subgraphs being served, in composition order. */
  get serving(): ReadonlyMap<string, LoadedSubgraph> {
    return this.#serving?.subgraphs ?? new Map();
  }

  /** Subgraphs served with their last good version because the current one is not usable. */
  get problems(): ReadonlyMap<string, SubgraphProblem> {
    return this.#problems;
  }

  /** Runs `task` after every change queued before it, alone. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Builds `next` and lists its changes against `base` (default: what is serving; null: none).
   * `changed` names the subgraph being changed: changes to what the others also declare are
   * marked `shared`. Throws `RegistryError` (422) with the reason when it does not compose.
   */
  async prepare(next: ReadonlyMap<string, LoadedSubgraph>, options: { base?: S | null; changed?: string } = {}): Promise<Candidate<S>> {
    const base = options.base === undefined ? this.current : (options.base ?? undefined);
    if (next.size === 0) throw new RegistryError('REGISTRATION_REFUSED', 'the graph would have no subgraphs left; the gateway needs at least one');
    let state: S;
    try {
      // Stitching writes into the SDL documents it is given (merged directive arguments), and
      // the rules of the next composition are read from them: each build gets its own parse,
      // or recomposing would corrupt the access rules of every later graph.
      state = this.#build([...next.values()].map((s) => ({ endpoint: s.endpoint, sdl: { sdl: s.sdl.sdl, document: parseSdl(s.endpoint.name, s.sdl.sdl) } })));
    } catch (error) {
      const reason = error instanceof MeshgateError ? error.message : `does not compose: ${(error as Error).message}`;
      throw new RegistryError('REGISTRATION_REFUSED', reason, { cause: error });
    }
    const others = options.changed === undefined ? undefined : [...next.values()].filter((s) => s.endpoint.name !== options.changed).map((s) => s.sdl.document);
    return { state, subgraphs: next, changes: await schemaChanges(base?.graph, state.graph, others) };
  }

  /** Serves `candidate` from the next request on. */
  commit(candidate: Candidate<S>): void {
    // One assignment: a request already running keeps the schema it resolved.
    this.#serving = { state: candidate.state, subgraphs: candidate.subgraphs };
    this.#onCommit?.(candidate.state);
  }

  /**
   * The first graph: `required` must compose; each of `optional` (registered subgraphs, in
   * order) is added if the graph still composes with it, and reported as a problem otherwise,
   * so one bad registration cannot keep the gateway from starting. Returns the names left out.
   */
  async start(required: readonly LoadedSubgraph[], optional: readonly LoadedSubgraph[]): Promise<string[]> {
    return this.exclusive(async () => {
      const all = new Map([...required, ...optional].map((s) => [s.endpoint.name, s]));
      if (all.size === 0) return [];
      try {
        this.commit(await this.prepare(all, { base: null }));
        return [];
      } catch (error) {
        if (optional.length === 0) throw error;
      }
      let working = new Map(required.map((s) => [s.endpoint.name, s]));
      let candidate = working.size > 0 ? await this.prepare(working, { base: null }) : undefined;
      const left: string[] = [];
      for (const subgraph of optional) {
        const next = new Map(working).set(subgraph.endpoint.name, subgraph);
        try {
          candidate = await this.prepare(next, { base: null });
          working = next;
        } catch (error) {
          left.push(subgraph.endpoint.name);
          this.report({ subgraph: subgraph.endpoint.name, kind: 'incompatible', reason: `left out at start: ${(error as Error).message}` });
        }
      }
      if (candidate) this.commit(candidate);
      return left;
    });
  }

  /** Records why a subgraph is not served as it is now. */
  report(problem: Omit<SubgraphProblem, 'since'>): void {
    const previous = this.#problems.get(problem.subgraph);
    const same = previous && previous.kind === problem.kind && previous.reason === problem.reason;
    this.#problems.set(problem.subgraph, { ...problem, since: same ? previous.since : new Date(this.#now()).toISOString() });
  }

  resolve(subgraph: string): void {
    this.#problems.delete(subgraph);
  }
}
