import {
  Kind,
  getOperationAST,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { responseKey } from './plan-operation.js';

/**
 * One operation of a document, cut in two: the root meta fields (`__schema`, `__type`,
 * `__typename`), which are answered by the gateway from the schema the caller may see, and
 * everything else, which is planned and executed against the graph. Keeping introspection
 * out of the data part means no execution over the full schema can ever answer it.
 */
export interface SplitOperation {
  /** The operation without its root meta fields; undefined when it asks for nothing else. */
  readonly data: DocumentNode | undefined;
  /** The operation with only its root meta fields; undefined when it has none. */
  readonly introspection: DocumentNode | undefined;
  /** Whether the introspection part reads the schema (`__schema`, `__type`), not just `__typename`. */
  readonly readsSchema: boolean;
  /** Root response keys in the order the operation asks for them (to merge the two answers). */
  readonly rootKeys: readonly string[];
}

/**
 * Splits the operation `operationName` selects in `document`, a fragment-inlined document
 * (see `inlineFragments`). Returns undefined when no operation is selected (unknown name,
 * or several operations and no name), which callers answer as graphql-js would.
 */
export function splitOperation(document: DocumentNode, operationName: string | null | undefined): SplitOperation | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const isQuery = operation.operation === 'query';
  const rootKeys: string[] = [];
  let readsSchema = false;

  function split(set: SelectionSetNode): { data: SelectionNode[]; meta: SelectionNode[] } {
    const data: SelectionNode[] = [];
    const meta: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = responseKey(selection);
        if (!rootKeys.includes(key)) rootKeys.push(key);
        // Only a query root has __schema / __type; a mutation's __typename stays with its data.
        if (isQuery && isMetaField(selection)) {
          if (selection.name.value !== '__typename') readsSchema = true;
          meta.push(selection);
        } else {
          data.push(selection);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const inner = split(selection.selectionSet);
        if (inner.data.length) data.push({ ...selection, selectionSet: { ...selection.selectionSet, selections: inner.data } });
        if (inner.meta.length) meta.push({ ...selection, selectionSet: { ...selection.selectionSet, selections: inner.meta } });
      } else {
        throw new TypeError('splitOperation expects a document without fragment spreads (see inlineFragments)');
      }
    }
    return { data, meta };
  }

  const { data, meta } = split(operation.selectionSet);
  const only = (selections: SelectionNode[]): DocumentNode => ({
    kind: Kind.DOCUMENT,
    definitions: [{ ...operation, selectionSet: { ...operation.selectionSet, selections } } satisfies OperationDefinitionNode],
  });
  return {
    data: data.length === 0 ? undefined : meta.length === 0 ? { kind: Kind.DOCUMENT, definitions: [operation] } : only(data),
    introspection: meta.length === 0 ? undefined : only(meta),
    readsSchema,
    rootKeys,
  };
}

function isMetaField(field: FieldNode): boolean {
  return field.name.value.startsWith('__');
}
