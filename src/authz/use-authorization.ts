import { GraphQLError, execute, getOperationAST, getVariableValues, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../server/gateway-context.js';
import { applyDenials } from './apply-denials.js';
import type { AuthorizedGraph } from './authorized-graph.js';
import { rejectionErrors } from './denial-errors.js';
import { grantsKeyOf, grantsOf } from './grants.js';
import type { ForwardOperation } from '../stitching/single-subgraph-route.js';
import { operationHashOf } from '../observability/use-audit.js';
import { takePrefetched } from '../server/prefetched-results.js';
import { OperationTooLargeError } from './inline-fragments.js';
import { ReservedAliasError } from './plan-operation.js';
import { hideSuggestions } from './hide-suggestions.js';

export type { AuthorizedGraph } from './authorized-graph.js';

/** `authorization.mode`: answer denied fields with null (filter), or refuse the whole operation (reject). */
export type AuthorizationMode = 'filter' | 'reject';
/** `authorization.introspection`: what `__schema` / `__type` show. */
export type IntrospectionMode = 'filtered' | 'full' | 'off';

/** Options of `useAuthorization`. */
export interface AuthorizationOptions {
  /** The graph state of a schema; a request on an unknown schema is refused (fail closed). */
  readonly graphFor: (schema: GraphQLSchema) => AuthorizedGraph | undefined;
  /** Default `filter`. */
  readonly mode?: AuthorizationMode;
  /** Default `filtered`. */
  readonly introspection?: IntrospectionMode;
}

/**
 * Enforces `@authenticated` / `@requiresScopes` before execution, for the one operation a
 * request selects:
 *
 * - the operation is planned for the caller's scopes; only its allowed part is executed, so
 *   no subgraph ever receives a denied field; each denied field is answered with `null` and
 *   `UNAUTHORIZED_FIELD_OR_TYPE` at its path (`filter`), or nothing runs and the answer is
 *   HTTP 403 listing every denial (`reject`);
 * - root meta fields (`__schema`, `__type`) are answered from the schema the caller may see
 *   (`filtered`), the whole graph (`full`), or refused (`off`); never by the data execution;
 * - unless introspection is `full`, validation errors lose their "Did you mean ...?" hints,
 *   which would otherwise name fields and types the caller cannot see.
 */
export function useAuthorization(options: AuthorizationOptions): Plugin<GatewayContext> {
  const mode = oneOf(options.mode, 'mode', ['filter', 'reject'] as const) ?? 'filter';
  const introspection = oneOf(options.introspection, 'introspection', ['filtered', 'full', 'off'] as const) ?? 'filtered';
  const hints = introspection !== 'full';
  return {
    onValidate() {
      if (!hints) return undefined;
      return ({ result, setResult }) => {
        if (result.length > 0) setResult(hideSuggestions(result));
      };
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const graph = options.graphFor(args.schema);
      if (!graph) throw new Error('authorization: the schema of this request is not a composed graph');
      const context = args.contextValue as GatewayContext;
      const grants = grantsOf(context.principal);
      const answer = (result: ExecutionResult) => setExecuteFn(() => result);

      let plan;
      try {
        plan = graph.planner.plan(args.document, args.operationName, grants);
      } catch (error) {
        if (error instanceof OperationTooLargeError) return answer(refusal(`Operation is too large: ${error.message}.`, 'BAD_REQUEST', 400));
        if (error instanceof ReservedAliasError) return answer(refusal(`The ${error.message}.`, 'BAD_REQUEST', 400));
        throw error;
      }
      if (!plan) {
        // What graphql-js would answer; nothing of the document is executed.
        return answer({ errors: [new GraphQLError(args.operationName ? `Unknown operation named "${args.operationName}".` : 'Must provide operation name if query contains multiple operations.')] });
      }
      const { operation, data } = plan;
      if (data) context.denied.push(...data.denials.values());
      if (operation.readsSchema && introspection === 'off') {
        return answer(refusal('Introspection is turned off on this gateway.', 'INTROSPECTION_DISABLED', 400));
      }
      if (mode === 'reject' && data && data.denials.size > 0) return answer({ errors: rejectionErrors(data.denials) });
      const onDone = hints ? { onExecuteDone: hideRequestErrorHints } : undefined;
      // One subgraph serves the whole (authorized) operation: forward it without stitching.
      const forward = data ? graph.forwardTo(data.filtered, args.operationName) : undefined;
      const run = async (executeArgs: ExecutionArgs, document: DocumentNode, onForwarded?: () => void) => {
        if (forward && variablesAreValid(graph.schema, document, executeArgs)) {
          // The direct lane may already have made this very call for this request.
          const prefetched = takePrefetched(executeArgs.contextValue, forward);
          if (prefetched) context.subgraphCalls.push(...prefetched.calls);
          const result = prefetched?.result ?? await forward({
            document,
            variables: (executeArgs.variableValues ?? undefined) as Record<string, unknown> | undefined,
            operationName: executeArgs.operationName ?? undefined,
            context: executeArgs.contextValue,
          });
          // No data at all (exchange refused, subgraph down): let stitching answer it field by field.
          if (result.data != null) {
            onForwarded?.();
            return result;
          }
        }
        return executeFn({ ...executeArgs, document });
      };
      // Nothing denied, no meta field at the root: the caller's document runs as it is.
      if (!operation.introspection && data && data.denials.size === 0) {
        if (forward) {
          // Everything before execution passed for this text and scope set: the direct lane may
          // answer the same request again without the pipeline (src/server/direct-lane.ts).
          const remember = () => rememberDecision(graph, context, { forward, document: data.filtered, args });
          setExecuteFn((executeArgs: ExecutionArgs) => run(executeArgs, data.filtered, remember));
        }
        return onDone;
      }

      setExecuteFn(async (executeArgs: ExecutionArgs) => {
        let dataResult: ExecutionResult | undefined;
        if (data) {
          const result = await run(executeArgs, data.filtered);
          if (Symbol.asyncIterator in Object(result)) throw new Error('authorization: streamed results are not supported');
          dataResult = data.denials.size > 0 ? await applyDenials(graph.shadowSchema, data, result as ExecutionResult, executeArgs) : (result as ExecutionResult);
        }
        let metaResult: ExecutionResult | undefined;
        if (operation.introspection) {
          metaResult = await execute({
            schema: introspection === 'full' ? graph.schema : graph.visibleSchema(grants),
            document: operation.introspection,
            variableValues: executeArgs.variableValues ?? null,
            operationName: executeArgs.operationName ?? null,
            contextValue: executeArgs.contextValue,
          });
        }
        return mergeRoot(operation.rootKeys, dataResult, metaResult);
      });
      return onDone;
    },
  };
}

/**
 * Remembers that this request's operation text, for this scope set, is forwarded whole to one
 * subgraph. Only for authenticated callers (the direct lane needs a token) and texts that
 * yoga's parameters carry (a plain GraphQL-over-HTTP request).
 */
function rememberDecision(
  graph: AuthorizedGraph,
  context: GatewayContext,
  decided: { forward: ForwardOperation; document: DocumentNode; args: ExecutionArgs },
): void {
  const params = (context as { params?: { query?: unknown; operationName?: unknown } }).params;
  if (!context.principal || typeof params?.query !== 'string') return;
  const name = params.operationName;
  if (name != null && typeof name !== 'string') return;
  // The same key the direct lane looks up with (cached on the principal).
  const key = grantsKeyOf(context.principal);
  if (graph.decisions.find(params.query, name, key)) return;
  const operation = getOperationAST(decided.document, decided.args.operationName);
  if (!operation) return;
  graph.decisions.remember(params.query, name, key, {
    forward: decided.forward,
    document: decided.document,
    operationName: name ?? undefined,
    variables: operation.variableDefinitions?.length ? operation.variableDefinitions : undefined,
    audited: { operationName: operation.name?.value ?? null, operationType: operation.operation, operationHash: operationHashOf(params.query) },
  });
}

/** One answer from the data part and the meta part of an operation, keys in the order asked. */
function mergeRoot(keys: readonly string[], data: ExecutionResult | undefined, meta: ExecutionResult | undefined): ExecutionResult {
  if (!data) return meta ?? { data: null };
  if (!meta) return data;
  // A request error (e.g. bad variables) is the same for both halves: report it once.
  if (!('data' in data) || data.data === undefined) return data;
  if (!('data' in meta) || meta.data === undefined) return meta;
  const errors = [...(data.errors ?? []), ...(meta.errors ?? [])];
  let merged: Record<string, unknown> | null = null;
  if (data.data !== null && meta.data !== null) {
    merged = {};
    for (const key of keys) {
      if (key in meta.data) merged[key] = meta.data[key];
      else if (key in data.data) merged[key] = data.data[key];
    }
  }
  return { data: merged, ...(errors.length ? { errors } : {}), ...(data.extensions ? { extensions: data.extensions } : {}) };
}

function hideRequestErrorHints({ result, setResult }: { result: unknown; setResult: (result: ExecutionResult) => void }): void {
  if (Symbol.asyncIterator in Object(result)) return;
  const { errors } = result as ExecutionResult;
  if (errors?.length) setResult({ ...(result as ExecutionResult), errors: hideSuggestions(errors) });
}

function refusal(message: string, code: string, status: number): ExecutionResult {
  return { errors: [new GraphQLError(message, { extensions: { code, http: { status } } })] };
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new TypeError(`useAuthorization: options.${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/**
 * Whether the request's variables coerce against the operation (what `execute` checks first).
 * When they do not, the operation goes the usual way and gets graphql-js's own answer.
 */
function variablesAreValid(schema: GraphQLSchema, document: DocumentNode, args: ExecutionArgs): boolean {
  const operation = getOperationAST(document, args.operationName);
  if (!operation?.variableDefinitions?.length) return true;
  const coerced = getVariableValues(schema, operation.variableDefinitions, (args.variableValues ?? {}) as Record<string, unknown>, { maxErrors: 1 });
  return !coerced.errors;
}
