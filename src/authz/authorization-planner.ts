import type { DocumentNode } from 'graphql';
import type { AccessPolicy } from './access-policy.js';
import { inlineFragments } from './inline-fragments.js';
import { planOperation, type OperationPlan } from './plan-operation.js';
import { grantsKey } from './grants.js';
import type { Grants } from './requirement.js';
import { splitOperation, type SplitOperation } from './split-operation.js';

/** Distinct scope sets remembered per operation before the oldest are dropped. */
const MAX_PLANS_PER_OPERATION = 64;

/** How to run the operation a request selects, for one caller. */
export interface RequestPlan {
  readonly operation: SplitOperation;
  /** The plan of the data part; undefined when the operation only asks for meta fields. */
  readonly data: OperationPlan | undefined;
}

interface DocumentEntry {
  readonly inlined: DocumentNode;
  readonly operations: Map<string, { split: SplitOperation; byGrants: Map<string, RequestPlan> }>;
}

/**
 * Plans of one composed graph, cached per document × operation × scope set: the decision
 * depends on nothing else, and documents repeat (agents send the same few queries). Documents
 * are held weakly, so plans go when the parser cache lets the document go.
 */
export class AuthorizationPlanner {
  readonly policy: AccessPolicy;
  readonly #documents = new WeakMap<DocumentNode, DocumentEntry>();
  readonly #maxSelections: number;

  constructor(policy: AccessPolicy, options: { maxSelections?: number } = {}) {
    this.policy = policy;
    this.#maxSelections = options.maxSelections ?? 20_000;
  }

  /**
   * The plan for the operation `operationName` selects in `document` (a validated document);
   * undefined when it selects none (unknown name, or several operations and no name).
   * Throws `OperationTooLargeError` for a document too large once fragments are inlined.
   */
  plan(document: DocumentNode, operationName: string | null | undefined, grants: Grants): RequestPlan | undefined {
    let entry = this.#documents.get(document);
    if (!entry) {
      entry = { inlined: inlineFragments(document, this.#maxSelections), operations: new Map() };
      this.#documents.set(document, entry);
    }
    const name = operationName ?? '';
    let operation = entry.operations.get(name);
    if (!operation) {
      const split = splitOperation(entry.inlined, operationName);
      // Only names of the document's own operations are remembered: the entry stays bounded.
      if (!split) return undefined;
      operation = { split, byGrants: new Map() };
      entry.operations.set(name, operation);
    }
    const split = operation.split;
    const key = grantsKey(grants);
    let plan = operation.byGrants.get(key);
    if (!plan) {
      plan = { operation: split, data: split.data ? planOperation(this.policy, split.data, grants) : undefined };
      if (operation.byGrants.size >= MAX_PLANS_PER_OPERATION) operation.byGrants.delete(operation.byGrants.keys().next().value as string);
      operation.byGrants.set(key, plan);
    }
    return plan;
  }
}
