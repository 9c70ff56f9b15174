import { Kind, TypeInfo, isInterfaceType, isObjectType, visit, visitWithTypeInfo } from 'graphql';
import type { AuthorizedGraph } from './authorized-graph.js';
import { denialExtensions } from './denial-errors.js';
import { responseKey, responsePath } from './plan-operation.js';
import type { RequestPlan } from './authorization-planner.js';
import { combine, explainDenial, isSatisfied, NO_REQUIREMENT, toAlternatives, type Grants, type Requirement } from './requirement.js';

/** The decision on one field coordinate, as `/explain` reports it. */
export interface FieldDecision {
  /** "Type.field", the type being the one the field is selected on. */
  readonly coordinate: string;
  readonly decision: 'allow' | 'deny';
  /** Whether reading it needs a token at all (`@authenticated` or any scope rule). */
  readonly authenticated: boolean;
  /** The rule, as one OR-of-ANDs list; `[]` when no scope is needed. */
  readonly requiredScopes: string[][];
  /** For each alternative of `requiredScopes`, what the caller lacks; `[]` when allowed. */
  readonly missingScopes: string[][];
  /** Response keys from the root to each place the operation selects it (no list positions). */
  readonly paths: string[][];
}

/** What `/explain` answers for a valid operation. */
export interface Explanation {
  readonly operationName: string | null;
  readonly operationType: 'query' | 'mutation' | 'subscription';
  /** True when the operation would run with nothing denied. */
  readonly allowed: boolean;
  readonly mode: 'filter' | 'reject';
  readonly introspection: 'filtered' | 'full' | 'off';
  readonly caller: { readonly authenticated: boolean; readonly scopes: string[] };
  /** Every field the operation selects, grouped by coordinate and decision, in document order. */
  readonly fields: FieldDecision[];
  /** The errors `/graphql` would answer the denied fields with (paths without list positions). */
  readonly denials: { message: string; path: string[]; extensions: Record<string, unknown> }[];
}

/**
 * Explains, without executing anything, what the caller with `grants` may read of a planned
 * operation. Each field is judged on its own rule (with the type conditions of the fragments
 * around it); a field below a denied one is listed with its own decision even though it would
 * not be fetched, so that one answer names every scope the operation needs. `denials` lists
 * exactly what execution would report.
 */
export function explainOperation(
  graph: AuthorizedGraph,
  plan: RequestPlan,
  grants: Grants,
  settings: { readonly mode: 'filter' | 'reject'; readonly introspection: 'filtered' | 'full' | 'off' },
): Explanation {
  const decisions = new Map<string, FieldDecision>();
  const data = plan.operation.data;
  const operation = (plan.operation.data ?? plan.operation.introspection)?.definitions[0];
  if (data) {
    const typeInfo = new TypeInfo(graph.schema);
    // Requirements of the type conditions entered since the last field, innermost last.
    const conditions: (Requirement | undefined)[][] = [[]];
    visit(
      data,
      visitWithTypeInfo(typeInfo, {
        Field: {
          enter(node, _key, _parent, _path, ancestors) {
            conditions.push([]);
            if (node.name.value.startsWith('__')) return;
            const parent = typeInfo.getParentType();
            if (!parent || !typeInfo.getFieldDef()) return;
            let requirement = graph.policy.fieldRequirement(parent, node.name.value);
            for (const condition of conditions[conditions.length - 2] ?? []) requirement = combine(requirement, condition);
            record(decisions, `${parent.name}.${node.name.value}`, requirement, grants, [...responsePath(ancestors), responseKey(node)]);
          },
          leave() {
            conditions.pop();
          },
        },
        InlineFragment: {
          enter(node) {
            const type = node.typeCondition && graph.schema.getType(node.typeCondition.name.value);
            const requirement = type && (isObjectType(type) || isInterfaceType(type)) ? graph.policy.typeRequirement(type) : undefined;
            conditions[conditions.length - 1]?.push(requirement);
          },
          leave() {
            conditions[conditions.length - 1]?.pop();
          },
        },
      }),
    );
  }
  const denials = [...(plan.data?.denials.values() ?? [])].map((denial) => ({
    message: denial.message,
    path: [...denial.path],
    extensions: denialExtensions(denial),
  }));
  const introspectionOff = plan.operation.readsSchema && settings.introspection === 'off';
  return {
    operationName: operation?.kind === Kind.OPERATION_DEFINITION ? (operation.name?.value ?? null) : null,
    operationType: operation?.kind === Kind.OPERATION_DEFINITION ? operation.operation : 'query',
    allowed: denials.length === 0 && !introspectionOff,
    mode: settings.mode,
    introspection: settings.introspection,
    caller: { authenticated: grants.authenticated, scopes: [...grants.scopes].sort() },
    fields: [...decisions.values()],
    denials,
  };
}

function record(
  decisions: Map<string, FieldDecision>,
  coordinate: string,
  requirement: Requirement | undefined,
  grants: Grants,
  path: string[],
): void {
  const rule = requirement ?? NO_REQUIREMENT;
  const allowed = isSatisfied(rule, grants);
  const requiredScopes = toAlternatives(rule);
  const key = JSON.stringify([coordinate, allowed, requiredScopes, rule.authenticated]);
  const existing = decisions.get(key);
  if (existing) {
    existing.paths.push(path);
    return;
  }
  const missingScopes = allowed ? [] : explainDenial(rule, grants).missingScopes;
  decisions.set(key, {
    coordinate,
    decision: allowed ? 'allow' : 'deny',
    authenticated: rule.authenticated || rule.scopes.length > 0,
    requiredScopes,
    missingScopes,
    paths: [path],
  });
}
