import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  getOperationAST,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { perOperation, rootFieldOwners } from './per-operation.js';

/** One subgraph as the fast path sees it: its own schema and its transport. */
export interface SubgraphRoute {
  readonly name: string;
  readonly schema: GraphQLSchema;
  readonly executor: Executor;
}

/** Sends an (already authorized) operation straight to the one subgraph that serves all of it. */
export type ForwardOperation = (request: ExecutionRequest) => Promise<ExecutionResult>;

/**
 * The fast path for operations that one subgraph serves entirely: most agent queries touch one
 * data product. When every root field of the operation belongs to a single subgraph, and the
 * whole operation is valid against that subgraph's own schema (so no field has to come from
 * elsewhere), stitching would send it there unchanged anyway: forward it as it is, without
 * planning a delegation. Decided once per document (documents are cached by the parser and
 * the authorization planner), so the per-request cost is a map lookup.
 *
 * Returns undefined (use stitching) for anything else: several subgraphs, root fields that
 * more than one subgraph defines, fragments at the root, mutations and subscriptions.
 * The caller falls back to stitching when the forwarded answer has no data at all (token
 * exchange refused, subgraph down): stitching turns those into per-field nulls and errors.
 */
export function createSingleSubgraphRouter(routes: readonly SubgraphRoute[]): (document: DocumentNode, operationName?: string | null) => ForwardOperation | undefined {
  // A root field that two subgraphs define is left to stitching, which knows which wins.
  const owners = rootFieldOwners(routes);

  function decide(document: DocumentNode, operationName: string | null | undefined): ForwardOperation | null {
    const operation = getOperationAST(document, operationName);
    // Queries only: a fallback to stitching (below) must never run a mutation twice.
    if (!operation || operation.operation !== OperationTypeNode.QUERY) return null;
    let route: SubgraphRoute | undefined;
    for (const selection of operation.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) return null;
      if (selection.name.value === '__typename') continue;
      const owner = owners.get(selection.name.value);
      if (!owner || (route && owner !== route)) return null;
      route = owner;
    }
    if (!route || validate(route.schema, document).length > 0) return null;
    const { executor } = route;
    return async (request) => withCallersErrors((await executor(request)) as ExecutionResult);
  }

  return perOperation(decide);
}

/**
 * The subgraph's errors as the caller's: GraphQL errors (yoga masks anything else as an
 * unexpected error) with the subgraph's message, path and extensions, as stitching reports
 * them; without locations, which point into the forwarded text, not the caller's.
 */
function withCallersErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  return { ...result, errors: result.errors.map(asGraphQLError) };
}

function asGraphQLError(error: unknown): GraphQLError {
  const { message, path, extensions } = (error ?? {}) as { message?: unknown; path?: unknown; extensions?: unknown };
  return new GraphQLError(typeof message === 'string' ? message : 'Subgraph error.', {
    ...(Array.isArray(path) && path.every((p) => typeof p === 'string' || typeof p === 'number') ? { path: path as (string | number)[] } : {}),
    ...(extensions !== null && typeof extensions === 'object' && !Array.isArray(extensions) ? { extensions: extensions as Record<string, unknown> } : {}),
  });
}
