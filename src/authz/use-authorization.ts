import type { ExecutionArgs, ExecutionResult, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../server/gateway-context.js';
import { applyDenials } from './apply-denials.js';
import type { AuthorizationPlanner } from './authorization-planner.js';
import type { Grants } from './requirement.js';

/** What the authorization plugin needs of the graph a request runs on. */
export interface AuthorizedGraph {
  readonly planner: AuthorizationPlanner;
  readonly shadowSchema: GraphQLSchema;
}

/** Options of `useAuthorization`. */
export interface AuthorizationOptions {
  /** The graph state of a schema; a request on an unknown schema is refused (fail closed). */
  readonly graphFor: (schema: GraphQLSchema) => AuthorizedGraph | undefined;
}

const NO_SCOPES: ReadonlySet<string> = new Set();

/**
 * Enforces `@authenticated` / `@requiresScopes` before execution: the operation is filtered
 * for the caller, only the allowed part is executed (so subgraphs never receive a denied
 * field), and each denied field is answered with `null` and `UNAUTHORIZED_FIELD_OR_TYPE`.
 */
export function useAuthorization(options: AuthorizationOptions): Plugin<GatewayContext> {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const graph = options.graphFor(args.schema);
      if (!graph) throw new Error('authorization: the schema of this request is not a composed graph');
      const context = args.contextValue as GatewayContext;
      const principal = context.principal;
      const grants: Grants = principal ? { authenticated: true, scopes: principal.scopes } : { authenticated: false, scopes: NO_SCOPES };
      const plan = graph.planner.plan(args.document, grants);
      if (plan.denials.size === 0) return;
      context.denied.push(...new Set(plan.denials.values()));
      setExecuteFn(async (executeArgs: ExecutionArgs) => {
        const result = (await executeFn({ ...executeArgs, document: plan.filtered })) as ExecutionResult;
        return applyDenials(graph.shadowSchema, plan, result, executeArgs);
      });
    },
  };
}
