import type { ConstDirectiveNode } from 'graphql';
import { AuthorizationRuleError } from '../errors.js';
import type { Requirement } from './requirement.js';

/** `@authenticated`: the caller must present a valid token. */
export const AUTHENTICATED = 'authenticated';

/** The requirement of one `@authenticated` use; `where` names the place for errors. */
export function authenticatedRequirement(directive: ConstDirectiveNode, where: string): Requirement {
  if (directive.arguments?.length) {
    throw new AuthorizationRuleError(`${where}: @authenticated takes no arguments`);
  }
  return { authenticated: true, scopes: [] };
}
