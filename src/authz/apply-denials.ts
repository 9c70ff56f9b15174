import {
  execute,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from 'graphql';
import type { FieldNode } from 'graphql';
import { denialError } from './denial-errors.js';
import type { FieldDenial, OperationPlan } from './plan-operation.js';
import { TYPENAME_ALIAS } from './plan-operation.js';

/**
 * Turns the result of the filtered operation into the answer to the operation the caller
 * wrote: each denied field becomes `null` with an `UNAUTHORIZED_FIELD_OR_TYPE` error at its
 * path, and non-null fields propagate that null as GraphQL requires.
 *
 * It does so by executing the caller's (fragment-inlined) document once more, over the data
 * already fetched, against `shadowSchema` (the graph without resolvers): graphql-js then
 * applies aliases, lists, abstract types, `@include`/`@skip` and null propagation exactly as
 * for any other error. Nothing is fetched again. Only operations with denials take this path.
 */
export async function applyDenials(
  shadowSchema: GraphQLSchema,
  plan: OperationPlan,
  filteredResult: ExecutionResult,
  args: Pick<ExecutionArgs, 'variableValues' | 'operationName'>,
): Promise<ExecutionResult> {
  if (filteredResult.data == null) return filteredResult;
  const fieldResolver: GraphQLFieldResolver<Record<string, unknown>, unknown> = (source, _args, _context, info) => {
    const denial = deniedFor(plan.denials, info.fieldNodes);
    if (denial) throw denialError(denial);
    return source[info.path.key as string];
  };
  const typeResolver: GraphQLTypeResolver<Record<string, unknown>, unknown> = (value) =>
    (value[TYPENAME_ALIAS] ?? value['__typename']) as string | undefined;
  const answered = await execute({
    schema: shadowSchema,
    document: plan.normalized,
    rootValue: filteredResult.data,
    variableValues: args.variableValues ?? null,
    operationName: args.operationName ?? null,
    fieldResolver,
    typeResolver,
  });
  const errors = [...(filteredResult.errors ?? []), ...(answered.errors ?? [])];
  return {
    data: answered.data ?? null,
    ...(errors.length ? { errors } : {}),
    ...(filteredResult.extensions ? { extensions: filteredResult.extensions } : {}),
  };
}

/** A response key is denied when every selection that asked for it was denied. */
function deniedFor(denials: ReadonlyMap<FieldNode, FieldDenial>, nodes: readonly FieldNode[]): FieldDenial | undefined {
  const first = denials.get(nodes[0] as FieldNode);
  if (!first) return undefined;
  return nodes.every((n) => denials.has(n)) ? first : undefined;
}
