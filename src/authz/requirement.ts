/**
 * Scope requirements and their evaluation.
 *
 * A `@requiresScopes(scopes:)` argument is OR of ANDs: `[["A","B"],["C"]]` is (A and B) or C.
 * A field can carry several rules at once (its own, its return type's, the same field declared
 * by two subgraphs, a gateway rule): all must hold, so a `Requirement` is a conjunction of
 * such alternatives.
 */

/** OR of ANDs, as written in `@requiresScopes(scopes:)`. */
export type ScopeAlternatives = readonly (readonly string[])[];

export interface Requirement {
  /** `@authenticated`, or implied by any scope rule: anonymous callers hold no scopes. */
  readonly authenticated: boolean;
  /** Every entry must be satisfied. */
  readonly scopes: readonly ScopeAlternatives[];
}

/** What a caller brings to authorization. */
export interface Grants {
  readonly authenticated: boolean;
  readonly scopes: ReadonlySet<string>;
}

/** Why a requirement was not met, in the shape callers receive. */
export interface Denial {
  /** The requirement as one OR-of-ANDs list; `[]` for `@authenticated` alone. */
  readonly requiredScopes: string[][];
  /** For each alternative of `requiredScopes`, what the caller lacks; `[]` for `@authenticated`. */
  readonly missingScopes: string[][];
}

export const NO_REQUIREMENT: Requirement = { authenticated: false, scopes: [] };

/** Both requirements must hold. */
export function combine(a: Requirement | undefined, b: Requirement | undefined): Requirement | undefined {
  if (!a) return b;
  if (!b) return a;
  return { authenticated: a.authenticated || b.authenticated, scopes: [...a.scopes, ...b.scopes] };
}

export function isSatisfied(requirement: Requirement, grants: Grants): boolean {
  if (!grants.authenticated) return !requirement.authenticated && requirement.scopes.length === 0;
  return requirement.scopes.every((alternatives) => alternatives.some((all) => all.every((s) => grants.scopes.has(s))));
}

/** Limits the size of a combined requirement: alternatives multiply when rules are combined. */
const MAX_ALTERNATIVES = 64;

/**
 * The single OR-of-ANDs list equivalent to all of `requirement.scopes`, minimal (no
 * alternative that contains another), in a stable order.
 */
export function toAlternatives(requirement: Requirement): string[][] {
  let product: string[][] = [[]];
  for (const alternatives of requirement.scopes) {
    const next: string[][] = [];
    for (const partial of product) {
      for (const all of alternatives) {
        next.push([...new Set([...partial, ...all])]);
        if (next.length > MAX_ALTERNATIVES) break;
      }
    }
    product = minimize(next);
  }
  return requirement.scopes.length === 0 ? [] : product;
}

/** What `grants` lacks to meet `requirement`; call only when it is not satisfied. */
export function explainDenial(requirement: Requirement, grants: Grants): Denial {
  const requiredScopes = toAlternatives(requirement);
  const missingScopes = minimize(requiredScopes.map((all) => all.filter((s) => !grants.authenticated || !grants.scopes.has(s))));
  return { requiredScopes, missingScopes: missingScopes.filter((m) => m.length > 0) };
}

function minimize(alternatives: string[][]): string[][] {
  const sorted = alternatives.map((a) => [...a].sort()).sort((x, y) => x.length - y.length || x.join().localeCompare(y.join()));
  const kept: string[][] = [];
  for (const candidate of sorted) {
    if (!kept.some((k) => k.every((s) => candidate.includes(s)))) kept.push(candidate);
  }
  return kept;
}
