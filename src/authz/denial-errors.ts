import { GraphQLError, type FieldNode } from 'graphql';
import type { FieldDenial } from './plan-operation.js';

/** The `extensions` of every denial error: what an agent needs to act on it. */
export function denialExtensions(denial: FieldDenial): Record<string, unknown> {
  return {
    code: 'UNAUTHORIZED_FIELD_OR_TYPE',
    coordinate: denial.coordinate,
    requiredScopes: denial.requiredScopes,
    missingScopes: denial.missingScopes,
  };
}

/** The error a denied field is answered with, at its path (set by execution). */
export function denialError(denial: FieldDenial): GraphQLError {
  return new GraphQLError(denial.message, { extensions: denialExtensions(denial) });
}

/**
 * The errors of an operation refused as a whole (`authorization.mode: reject`): HTTP 403, one
 * error per denied selection (with its location), in the same shape as in filter mode.
 * Nothing ran, so `path` holds the response keys without list positions.
 */
export function rejectionErrors(denials: ReadonlyMap<FieldNode, FieldDenial>): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const seen = new Set<string>();
  for (const [node, denial] of denials) {
    // The same field selected twice at one place (e.g. in two fragments) is one denial.
    const key = JSON.stringify([denial.path, denial.coordinate]);
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(new GraphQLError(denial.message, { nodes: [node], path: denial.path, extensions: { ...denialExtensions(denial), http: { status: 403 } } }));
  }
  return errors;
}
