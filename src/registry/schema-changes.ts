import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { Kind, type DocumentNode } from 'graphql';
import type { ComposedGraph } from '../stitching/compose-graph.js';
import { authRuleChanges } from './auth-rule-changes.js';

/**
 * One change between the graph being served and a proposed one, as owners read it in a
 * refusal. `breaking` (a removed field, a changed type) and `auth-weakened` (an access rule
 * dropped or loosened) are refused unless forced; `dangerous` and `safe` are reported only.
 */
export interface SchemaChange {
  readonly kind: 'breaking' | 'auth-weakened' | 'dangerous' | 'safe';
  /** graphql-inspector's change type (`FIELD_REMOVED`, ...) or `AUTH_RULE_*`. */
  readonly type: string;
  /** "Type.field" and the like, when the change has one. */
  readonly coordinate?: string;
  readonly message: string;
  /** The coordinate is also declared by other subgraphs: forcing it past a refusal needs an admin. */
  readonly shared?: boolean;
}

/** The kinds of change that refuse a registration unless it is forced. */
export function isBlocking(change: SchemaChange): boolean {
  return change.kind === 'breaking' || change.kind === 'auth-weakened';
}

const AUTH_DIRECTIVES = /@(requiresScopes|authenticated)\b|'(requiresScopes|authenticated)'/;

/**
 * Lists what changes for callers when `next` replaces `current`: graphql-inspector's diff of
 * the public schemas (what callers can query; the subgraphs' plumbing is not part of it), plus
 * a comparison of the access rules, which the schema diff cannot judge. Inspector's own
 * reports of authorization directive usages are left out: the rule comparison says whether
 * such a change loosens or tightens access.
 */
export async function schemaChanges(current: ComposedGraph | undefined, next: ComposedGraph, others?: readonly DocumentNode[]): Promise<SchemaChange[]> {
  if (!current) return [];
  const shared = (coordinate: string | undefined) => (others && coordinate && declaredBy(others, coordinate) ? { shared: true } : {});
  const inspected = await diff(current.schema, next.schema);
  const changes: SchemaChange[] = [];
  for (const change of inspected) {
    if (change.type.startsWith('DIRECTIVE_USAGE') && AUTH_DIRECTIVES.test(`${change.path ?? ''} ${change.message}`)) continue;
    const level = change.criticality.level;
    changes.push({
      kind: level === CriticalityLevel.Breaking ? 'breaking' : level === CriticalityLevel.Dangerous ? 'dangerous' : 'safe',
      type: change.type,
      ...(change.path ? { coordinate: change.path } : {}),
      message: change.message,
      ...shared(change.path),
    });
  }
  for (const rule of authRuleChanges(current, next)) {
    const weakened = rule.type === 'AUTH_RULE_REMOVED' || rule.type === 'AUTH_RULE_WEAKENED';
    const stricter = rule.type === 'AUTH_RULE_TIGHTENED' || (rule.type === 'AUTH_RULE_ADDED' && rule.before !== 'new');
    const others = shared(rule.coordinate);
    // A rule tightened on what other data products serve would answer null to their callers:
    // one subgraph must not be able to take data away from everybody else.
    const kind = weakened ? 'auth-weakened' : stricter && others.shared ? 'breaking' : stricter ? 'dangerous' : 'safe';
    changes.push({
      kind,
      type: rule.type,
      coordinate: rule.coordinate,
      message: `${ruleMessage(rule.type, rule.coordinate, rule.before, rule.after)}${kind === 'breaking' ? ', on what other subgraphs also serve' : ''}`,
      ...others,
    });
  }
  const order = { 'auth-weakened': 0, breaking: 1, dangerous: 2, safe: 3 } as const;
  return changes.sort((a, b) => order[a.kind] - order[b.kind]);
}

/**
 * True when one of `documents` declares the type of a coordinate ("Type", "Type.member" or
 * "Type.field.argument") and, for a member, that member.
 */
export function declaredBy(documents: readonly DocumentNode[], coordinate: string): boolean {
  const [typeName, member] = coordinate.split('.');
  for (const document of documents) {
    for (const definition of document.definitions) {
      if (!('name' in definition) || definition.name?.value !== typeName || definition.kind === Kind.DIRECTIVE_DEFINITION) continue;
      if (member === undefined || member.startsWith('@')) return true;
      const members = [...(('fields' in definition ? definition.fields : undefined) ?? []), ...(('values' in definition ? definition.values : undefined) ?? [])];
      if (members.some((m) => m.name.value === member)) return true;
    }
  }
  return false;
}

function ruleMessage(type: string, coordinate: string, before: string, after: string): string {
  switch (type) {
    case 'AUTH_RULE_REMOVED':
      return `Access rule on ${coordinate} was removed (was ${before}): callers without it would read it`;
    case 'AUTH_RULE_WEAKENED':
      return `Access rule on ${coordinate} was loosened from ${before} to ${after}`;
    case 'AUTH_RULE_TIGHTENED':
      return `Access rule on ${coordinate} was tightened from ${before} to ${after}: some callers will get null`;
    default:
      return `Access rule ${after} was added on ${coordinate}`;
  }
}
