import { Kind, type ConstDirectiveNode, type ConstValueNode } from 'graphql';
import { AuthorizationRuleError } from '../errors.js';
import type { Requirement } from './requirement.js';

/** `@requiresScopes(scopes: [[String!]!]!)`: OR of ANDs of scopes. */
export const REQUIRES_SCOPES = 'requiresScopes';

const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/; // RFC 6749 scope-token characters

/** Whether `value` is a scope meshgate can match: RFC 6749 scope-token characters, 1..200 of them. */
export function isScopeToken(value: string): boolean {
  return SCOPE.test(value);
}

/**
 * The requirement of one `@requiresScopes` use. Anything we could not enforce exactly
 * (an unknown argument, a variable, an empty list, a non-string) is an error: a rule that is
 * read loosely is a rule that silently protects nothing.
 */
export function requiresScopesRequirement(directive: ConstDirectiveNode, where: string): Requirement {
  const args = directive.arguments ?? [];
  const unknown = args.find((a) => a.name.value !== 'scopes');
  if (unknown) throw new AuthorizationRuleError(`${where}: @requiresScopes has an unknown argument "${unknown.name.value}"`);
  const scopes = args[0]?.value;
  if (!scopes) throw new AuthorizationRuleError(`${where}: @requiresScopes needs a "scopes" argument`);
  const alternatives = listOf(scopes, where).map((inner) =>
    listOf(inner, where).map((value) => {
      if (value.kind !== Kind.STRING || !SCOPE.test(value.value)) {
        throw new AuthorizationRuleError(`${where}: @requiresScopes scopes must be non-empty scope strings`);
      }
      return value.value;
    }),
  );
  if (alternatives.length === 0 || alternatives.some((all) => all.length === 0)) {
    throw new AuthorizationRuleError(`${where}: @requiresScopes needs at least one scope in every alternative`);
  }
  return { authenticated: true, scopes: [alternatives] };
}

function listOf(value: ConstValueNode, where: string): readonly ConstValueNode[] {
  if (value.kind !== Kind.LIST) throw new AuthorizationRuleError(`${where}: @requiresScopes scopes must be a list of lists of strings`);
  return value.values;
}
