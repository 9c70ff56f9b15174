import type { DocumentNode, GraphQLSchema } from 'graphql';
import { createSingleSubgraphRouter, type ForwardOperation } from '../stitching/single-subgraph-route.js';
import { createMergePlanner, type MergeRoute } from '../stitching/merge-plan.js';
import { LRUCache } from 'lru-cache';
import { AccessPolicy } from './access-policy.js';
import { AuthorizationPlanner } from './authorization-planner.js';
import type { AuthorizationRules } from './authorization-rules.js';
import { filterSchemaFor } from './filter-schema.js';
import { ForwardDecisions } from './forward-decisions.js';
import { withGatewayRules, type GatewayRuleConfig } from './gateway-rules.js';
import { grantsKey } from './grants.js';
import type { Grants } from './requirement.js';

/** What authorization derives from one composed graph; built once per composition. */
export interface AuthorizedGraph {
  /** The graph callers query (validation runs against it). */
  readonly schema: GraphQLSchema;
  /** The same graph without resolvers: used to answer denied fields over fetched data. */
  readonly shadowSchema: GraphQLSchema;
  /** The subgraphs' rules plus the gateway's. */
  readonly rules: AuthorizationRules;
  readonly policy: AccessPolicy;
  readonly planner: AuthorizationPlanner;
  /** The graph as a caller with `grants` may see it (filtered introspection); cached per scope set. */
  visibleSchema(grants: Grants): GraphQLSchema;
  /** How to run an (authorized) document without stitching, if it can be: forwarded whole to one subgraph, or a merge plan. */
  forwardTo(document: DocumentNode, operationName?: string | null): ForwardOperation | undefined;
  /** Forwarding decisions of the full pipeline, for the direct lane; empty for each new graph. */
  readonly decisions: ForwardDecisions;
}

/** Options of `authorizeGraph`. */
export interface AuthorizeGraphOptions {
  /** `authorization.rules` of the configuration; they add to the subgraphs' rules. Default none. */
  readonly rules?: GatewayRuleConfig;
  /** Filtered schemas kept (one per distinct scope set, least recently used dropped). Default 256. */
  readonly visibleSchemas?: number;
  /** Selections an operation may have once its fragments are inlined. Default 20,000. */
  readonly maxSelections?: number;
}

/**
 * Everything enforcement needs of a composed graph: the rules (with the gateway's), the policy
 * derived from them, the operation planner and the per-caller filtered schemas. Throws a
 * `ConfigError` when a gateway rule names a coordinate the graph does not have.
 *
 * @example
 * const authorized = authorizeGraph(composeGraph(inputs), { rules: config.authorization.rules });
 */
export function authorizeGraph(
  graph: { readonly schema: GraphQLSchema; readonly shadowSchema: GraphQLSchema; readonly rules: AuthorizationRules; readonly routes?: readonly MergeRoute[] },
  options: AuthorizeGraphOptions = {},
): AuthorizedGraph {
  const visibleSchemas = options.visibleSchemas ?? 256;
  if (!Number.isInteger(visibleSchemas) || visibleSchemas < 1) throw new TypeError('authorizeGraph: options.visibleSchemas must be a positive integer');
  const rules = withGatewayRules(graph.rules, graph.schema, options.rules ?? {});
  const policy = new AccessPolicy(graph.schema, rules);
  const planner = new AuthorizationPlanner(policy, options.maxSelections === undefined ? {} : { maxSelections: options.maxSelections });
  const cache = new LRUCache<string, GraphQLSchema>({ max: visibleSchemas });
  const single = createSingleSubgraphRouter(graph.routes ?? []);
  const merged = createMergePlanner(graph.routes ?? [], graph.schema);
  // One subgraph serves it all: forward as it is. Else a planned batched merge.
  const forwardTo = (document: DocumentNode, operationName?: string | null): ForwardOperation | undefined =>
    single(document, operationName) ?? merged(document, operationName);
  return {
    forwardTo,
    decisions: new ForwardDecisions(graph.schema),
    schema: graph.schema,
    shadowSchema: graph.shadowSchema,
    rules,
    policy,
    planner,
    visibleSchema(grants) {
      const key = grantsKey(grants);
      let schema = cache.get(key);
      if (!schema) {
        schema = filterSchemaFor(policy, grants);
        cache.set(key, schema);
      }
      return schema;
    },
  };
}
