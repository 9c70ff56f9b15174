import { getVariableValues, type DocumentNode, type GraphQLSchema, type VariableDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { AuditedOperation } from '../observability/use-audit.js';
import type { ForwardOperation } from '../stitching/single-subgraph-route.js';

/**
 * What the full pipeline concluded about one operation text for one scope set: it is allowed
 * whole (nothing denied, no introspection), valid, within the limits, and served by one
 * subgraph, to which `document` (the authorized operation) is forwarded as it is.
 */
export interface ForwardDecision {
  readonly forward: ForwardOperation;
  readonly document: DocumentNode;
  readonly operationName: string | undefined;
  /** Set when the operation has variables: they are checked on each request. */
  readonly variables: readonly VariableDefinitionNode[] | undefined;
  readonly audited: AuditedOperation;
}

/** Options of `ForwardDecisions`. */
export interface ForwardDecisionsOptions {
  /** Characters of operation text kept, over all decisions. Default 8 Mi. */
  readonly maxChars?: number;
  /** Longest operation text remembered. Default 32 Ki characters. */
  readonly maxTextChars?: number;
}

/**
 * Decisions of the full pipeline (yoga: parse, validate, limits, authorization), remembered
 * per exact operation text × operation name × scope set, so that the direct lane can answer
 * the same request again without that pipeline. One table per composed graph: a new graph
 * starts empty, so no decision outlives the schema and rules it was made with.
 *
 * Only facts that depend on nothing else are kept: the text decides the document, the scope
 * set decides authorization. Who the caller is still matters per request (their own subgraph
 * token is obtained for every call), so nothing of a caller is stored here.
 */
export class ForwardDecisions {
  readonly #cache: LRUCache<string, ForwardDecision>;
  readonly #maxTextChars: number;

  constructor(private readonly schema: GraphQLSchema, options: ForwardDecisionsOptions = {}) {
    this.#maxTextChars = options.maxTextChars ?? 32 * 1024;
    this.#cache = new LRUCache({ maxSize: options.maxChars ?? 8 * 1024 * 1024, sizeCalculation: (_value, key) => key.length });
  }

  /** Remembers a decision made by the full pipeline. */
  remember(text: string, operationName: string | null | undefined, grantsKey: string, decision: ForwardDecision): void {
    if (text.length > this.#maxTextChars) return;
    this.#cache.set(keyOf(text, operationName, grantsKey), decision);
  }

  /** The decision for this text, name and scope set, if the full pipeline made one. */
  find(text: string, operationName: string | null | undefined, grantsKey: string): ForwardDecision | undefined {
    if (text.length > this.#maxTextChars) return undefined;
    return this.#cache.get(keyOf(text, operationName, grantsKey));
  }

  /** Whether these variable values coerce for the decision's operation (what `execute` checks first). */
  variablesFit(decision: ForwardDecision, values: Record<string, unknown> | undefined): boolean {
    if (!decision.variables) return true;
    return !getVariableValues(this.schema, decision.variables, values ?? {}, { maxErrors: 1 }).errors;
  }
}

// The scope set's key and the operation name are JSON, which never holds a raw NUL, so the
// two NULs end them unambiguously (a name or text holding NUL cannot shift the boundaries); an
// absent name ("-") differs from any given one, even "", as it does for graphql-js.
function keyOf(text: string, operationName: string | null | undefined, grantsKey: string): string {
  return `${grantsKey}\u0000${operationName == null ? '-' : JSON.stringify(operationName)}\u0000${text}`;
}
