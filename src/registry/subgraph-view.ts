import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import type { ComposedGraph } from '../stitching/compose-graph.js';
import type { SubgraphEndpoint, SubgraphProblem } from './graph-manager.js';
import type { StoredSubgraph } from './registry-store.js';

/** A subgraph as the admin API shows it (never a token, never a secret). */
export interface SubgraphView {
  readonly name: string;
  readonly origin: 'config' | 'registry';
  readonly url: string;
  readonly audience?: string;
  readonly token: 'exchange' | 'forward' | 'none';
  readonly scope?: string;
  readonly exchange?: { grant?: string; appCallers?: string };
  readonly owner?: string;
  /** SHA-256 of the SDL being served (or last validated). */
  readonly sdlSha256?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly updatedBy?: StoredSubgraph['updatedBy'];
  /** Part of the graph being served. */
  readonly serving: boolean;
  /** Why its current SDL is not served (the last good one is). */
  readonly problem?: Omit<SubgraphProblem, 'subgraph'>;
}

/** What the composed graph looks like after a change. */
export interface GraphSummary {
  readonly subgraphs: readonly string[];
  /** Named types of the public graph, built-ins left out. */
  readonly types: number;
  /** Public root fields (Query, Mutation). */
  readonly rootFields: number;
  /** Coordinates with an access rule. */
  readonly rules: number;
}

export function registryView(stored: StoredSubgraph, serving: boolean, problem: SubgraphProblem | undefined): SubgraphView {
  const { sdl: _sdl, ...rest } = stored;
  return { ...rest, origin: 'registry', serving, ...(problem ? { problem: withoutName(problem) } : {}) };
}

export function configView(endpoint: SubgraphEndpoint, sdlSha256: string | undefined, serving: boolean, problem: SubgraphProblem | undefined): SubgraphView {
  const { policy } = endpoint;
  return {
    name: endpoint.name,
    origin: 'config',
    url: endpoint.url,
    ...(policy.audience ? { audience: policy.audience } : {}),
    token: policy.mode,
    ...(policy.scope ? { scope: policy.scope } : {}),
    ...(sdlSha256 ? { sdlSha256 } : {}),
    serving,
    ...(problem ? { problem: withoutName(problem) } : {}),
  };
}

export function graphSummary(graph: ComposedGraph | undefined): GraphSummary {
  if (!graph) return { subgraphs: [], types: 0, rootFields: 0, rules: 0 };
  return {
    subgraphs: graph.subgraphs,
    types: Object.keys(graph.schema.getTypeMap()).filter((name) => !name.startsWith('__')).length,
    rootFields: rootFieldCount(graph.schema),
    rules: graph.rules.size,
  };
}

function rootFieldCount(schema: GraphQLSchema): number {
  return [schema.getQueryType(), schema.getMutationType()].reduce(
    (sum, type) => sum + (type && (isObjectType(type) || isInterfaceType(type)) ? Object.keys(type.getFields()).length : 0),
    0,
  );
}

function withoutName(problem: SubgraphProblem): Omit<SubgraphProblem, 'subgraph'> {
  const { subgraph: _subgraph, ...rest } = problem;
  return rest;
}
