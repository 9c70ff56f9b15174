import { getNamedType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import type { AuthorizationRules } from '../authz/authorization-rules.js';
import { combine, toAlternatives, type Requirement } from '../authz/requirement.js';

/** How an access rule changed between the graph being served and a new one. */
export interface AuthRuleChange {
  readonly type: 'AUTH_RULE_REMOVED' | 'AUTH_RULE_WEAKENED' | 'AUTH_RULE_ADDED' | 'AUTH_RULE_TIGHTENED';
  /** "Type" or "Type.field". */
  readonly coordinate: string;
  /** The rule before, `none`, or `new` for a coordinate the graph did not have. */
  readonly before: string;
  readonly after: string;
}

/** Both graphs: their schema and their rules. */
export interface RuledGraph {
  readonly schema: GraphQLSchema;
  readonly rules: AuthorizationRules;
}

/**
 * Compares the access rules of two graphs, coordinate by coordinate. A rule that is gone from a
 * coordinate that still exists, or that some caller could now meet and could not before, is a
 * weakening: callers would read data they were refused yesterday. A coordinate removed from the
 * graph is not a weakening (nothing is exposed; the schema diff reports the removal).
 *
 * A field is compared with its return type's rule folded in, so moving a rule from a field to
 * the type it returns is not reported as a weakening.
 */
export function authRuleChanges(before: RuledGraph, after: RuledGraph): AuthRuleChange[] {
  const changes: AuthRuleChange[] = [];
  const coordinates = new Set([...before.rules.coordinates(), ...after.rules.coordinates()]);
  for (const coordinate of [...coordinates].sort()) {
    if (!exists(after.schema, coordinate)) continue;
    const old = effectiveRule(before, coordinate);
    const next = effectiveRule(after, coordinate);
    const was = describe(old);
    const now = describe(next);
    if (was === now) continue;
    if (!exists(before.schema, coordinate) && !hasRule(old)) {
      // A new coordinate with its rule: nothing callers could read before.
      if (hasRule(next)) changes.push({ type: 'AUTH_RULE_ADDED', coordinate, before: 'new', after: now });
      continue;
    }
    if (hasRule(old) && !hasRule(next)) changes.push({ type: 'AUTH_RULE_REMOVED', coordinate, before: was, after: now });
    else if (isWeaker(old, next)) changes.push({ type: 'AUTH_RULE_WEAKENED', coordinate, before: was, after: now });
    else if (!hasRule(old)) changes.push({ type: 'AUTH_RULE_ADDED', coordinate, before: was, after: now });
    else changes.push({ type: 'AUTH_RULE_TIGHTENED', coordinate, before: was, after: now });
  }
  return changes;
}

/**
 * True when some caller meets `next` but not `old`. Both are read as one OR-of-ANDs list: `next`
 * is at least as strict when every one of its alternatives contains one of `old`'s.
 */
export function isWeaker(old: Requirement | undefined, next: Requirement | undefined): boolean {
  if (!hasRule(old)) return false;
  if (!hasRule(next)) return true;
  const oldAlternatives = toAlternatives(old as Requirement);
  const nextAlternatives = toAlternatives(next as Requirement);
  if (oldAlternatives.length === 0) return false; // old was @authenticated only; any rule implies it
  if (nextAlternatives.length === 0) return true; // scopes dropped down to @authenticated
  return nextAlternatives.some((all) => !oldAlternatives.some((required) => required.every((scope) => all.includes(scope))));
}

function hasRule(requirement: Requirement | undefined): boolean {
  return requirement !== undefined && (requirement.authenticated || requirement.scopes.length > 0);
}

function effectiveRule(graph: RuledGraph, coordinate: string): Requirement | undefined {
  const [typeName, fieldName] = coordinate.split('.') as [string, string | undefined];
  if (fieldName === undefined) return graph.rules.typeRule(typeName);
  const own = graph.rules.fieldRule(typeName, fieldName);
  const type = graph.schema.getType(typeName);
  const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[fieldName] : undefined;
  const returned = field ? graph.rules.typeRule(getNamedType(field.type).name) : undefined;
  return combine(own, returned);
}

function exists(schema: GraphQLSchema, coordinate: string): boolean {
  const [typeName, fieldName] = coordinate.split('.') as [string, string | undefined];
  const type = schema.getType(typeName);
  if (!type) return false;
  if (fieldName === undefined) return true;
  return (isObjectType(type) || isInterfaceType(type)) && type.getFields()[fieldName] !== undefined;
}

function describe(requirement: Requirement | undefined): string {
  if (!hasRule(requirement)) return 'none';
  const alternatives = toAlternatives(requirement as Requirement);
  if (alternatives.length === 0) return '@authenticated';
  return `@requiresScopes(scopes: ${JSON.stringify(alternatives)})`;
}
