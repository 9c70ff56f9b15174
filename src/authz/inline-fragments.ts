import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** The operation is too large once fragments are inlined (a "fragment bomb"). */
export class OperationTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`operation has more than ${limit} selections once fragments are expanded`);
  }
}

/**
 * Returns an equivalent document without named fragments: every spread becomes an inline
 * fragment with a copy of the fragment's selections. Authorization decisions are recorded per
 * selection node, so every place in the operation must be its own node (a named fragment
 * spread in two places would otherwise share one decision between two contexts).
 * Expects a validated document (no cycles, no unknown fragments).
 */
export function inlineFragments(document: DocumentNode, maxSelections = 20_000): DocumentNode {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let count = 0;

  function inlineSet(set: SelectionSetNode): SelectionSetNode {
    return { ...set, selections: set.selections.map(inlineSelection) };
  }

  function inlineSelection(selection: SelectionNode): SelectionNode {
    if (++count > maxSelections) throw new OperationTooLargeError(maxSelections);
    switch (selection.kind) {
      case Kind.FIELD:
        return selection.selectionSet ? { ...selection, selectionSet: inlineSet(selection.selectionSet) } : { ...selection };
      case Kind.INLINE_FRAGMENT:
        return { ...selection, selectionSet: inlineSet(selection.selectionSet) };
      case Kind.FRAGMENT_SPREAD: {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) throw new TypeError(`unknown fragment ${selection.name.value}`);
        return {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: fragment.typeCondition,
          directives: selection.directives ?? [],
          selectionSet: inlineSet(fragment.selectionSet),
          ...(selection.loc ? { loc: selection.loc } : {}),
        };
      }
    }
  }

  const operations = document.definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => ({ ...operation, selectionSet: inlineSet(operation.selectionSet) }));
  return { kind: Kind.DOCUMENT, definitions: operations };
}
