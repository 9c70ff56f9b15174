import type { DocumentNode } from 'graphql';

/**
 * `decide(document, operationName)` computed once per parsed document and operation name:
 * documents come from yoga's parser cache (and the authorization planner's), so a request pays
 * a map lookup. Null (nothing to do) is remembered too.
 */
export function perOperation<T>(decide: (document: DocumentNode, operationName: string | null | undefined) => T | null): (document: DocumentNode, operationName?: string | null) => T | undefined {
  const decided = new WeakMap<DocumentNode, Map<string, T | null>>();
  return (document, operationName) => {
    let byName = decided.get(document);
    if (!byName) {
      byName = new Map();
      decided.set(document, byName);
    }
    // No name ("-") and the name "" differ for graphql-js: keep them apart.
    const key = operationName == null ? '-' : `+${operationName}`;
    let value = byName.get(key);
    if (value === undefined) {
      value = decide(document, operationName);
      byName.set(key, value);
    }
    return value ?? undefined;
  };
}

/** Which subgraph defines each root Query field; null when several do (stitching decides those). */
export function rootFieldOwners<R extends { readonly schema: { getQueryType(): { getFields(): object } | null | undefined } }>(routes: readonly R[]): Map<string, R | null> {
  const owners = new Map<string, R | null>();
  for (const route of routes) {
    for (const field of Object.keys(route.schema.getQueryType()?.getFields() ?? {})) owners.set(field, owners.has(field) ? null : route);
  }
  return owners;
}
