import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

/**
 * Errors meant for callers: GraphQLErrors with a public `extensions.code` pass through yoga's
 * error masking; anything else a resolver throws reaches the caller as "Unexpected error.".
 *
 * They are made with yoga's `createGraphQLError`, not `new GraphQLError`: yoga tells user
 * errors from bugs with `instanceof GraphQLError`, and under vitest our sources and yoga load
 * two different copies of `graphql` (ESM and CJS), so only yoga's own class passes.
 */
export type SubgraphErrorCode = 'BAD_USER_INPUT' | 'FORBIDDEN' | 'UNAUTHENTICATED';

export function subgraphError(code: SubgraphErrorCode, message: string): GraphQLError {
  return createGraphQLError(message, { extensions: { code } });
}

/** @example throw badUserInput('first must be between 0 and 100') */
export function badUserInput(message: string): GraphQLError {
  return subgraphError('BAD_USER_INPUT', message);
}

export function forbidden(message: string): GraphQLError {
  return subgraphError('FORBIDDEN', message);
}
