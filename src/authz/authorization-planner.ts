import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { AuthorizationRules } from './authorization-rules.js';
import { inlineFragments } from './inline-fragments.js';
import { planOperation, type OperationPlan } from './plan-operation.js';
import type { Grants } from './requirement.js';

/** Distinct scope sets remembered per document before the oldest are dropped. */
const MAX_PLANS_PER_DOCUMENT = 64;

/**
 * Plans of one composed graph, cached per document × scope set: the decision depends on
 * nothing else, and documents repeat (agents send the same few queries). Documents are held
 * weakly, so plans go when the parser cache lets the document go.
 */
export class AuthorizationPlanner {
  readonly #schema: GraphQLSchema;
  readonly #rules: AuthorizationRules;
  readonly #plans = new WeakMap<DocumentNode, { normalized: DocumentNode; byGrants: Map<string, OperationPlan> }>();
  readonly #maxSelections: number;

  constructor(schema: GraphQLSchema, rules: AuthorizationRules, options: { maxSelections?: number } = {}) {
    this.#schema = schema;
    this.#rules = rules;
    this.#maxSelections = options.maxSelections ?? 20_000;
  }

  plan(document: DocumentNode, grants: Grants): OperationPlan {
    let entry = this.#plans.get(document);
    if (!entry) {
      entry = { normalized: inlineFragments(document, this.#maxSelections), byGrants: new Map() };
      this.#plans.set(document, entry);
    }
    const key = grantsKey(grants);
    let plan = entry.byGrants.get(key);
    if (!plan) {
      plan = planOperation(this.#schema, this.#rules, entry.normalized, grants);
      if (entry.byGrants.size >= MAX_PLANS_PER_DOCUMENT) entry.byGrants.delete(entry.byGrants.keys().next().value as string);
      entry.byGrants.set(key, plan);
    }
    return plan;
  }
}

function grantsKey(grants: Grants): string {
  if (!grants.authenticated) return '';
  // Scope names cannot contain spaces (RFC 6749 scope-token), so a space joins them unambiguously.
  return `+${[...grants.scopes].sort().join(' ')}`;
}
