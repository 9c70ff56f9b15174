import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Refuses operations nested deeper than `maxDepth` fields (HTTP 400), before any planning or
 * delegation. Introspection (`__schema`, `__type`) is not counted: its own shape is fixed.
 */
export function useOperationLimits(options: { maxDepth: number }): Plugin {
  const rule = (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of context.getDocument().definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      }
      const depth = depthOf(operation.selectionSet, fragments, new Set(), options.maxDepth + 1);
      if (depth > options.maxDepth) {
        context.reportError(
          new GraphQLError(`Operation is nested deeper than ${options.maxDepth} fields.`, {
            nodes: [operation],
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          }),
        );
      }
    },
  });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}

function depthOf(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, visiting: Set<string>, cap: number): number {
  let max = 0;
  for (const selection of set.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      depth = 1 + (selection.selectionSet && cap > 1 ? depthOf(selection.selectionSet, fragments, visiting, cap - 1) : 0);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = depthOf(selection.selectionSet, fragments, visiting, cap);
    } else {
      const fragment = fragments.get(selection.name.value);
      // Unknown or cyclic fragments are reported by the standard rules.
      if (!fragment || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      depth = depthOf(fragment.selectionSet, fragments, visiting, cap);
      visiting.delete(fragment.name.value);
    }
    if (depth > max) max = depth;
    if (max >= cap) return max;
  }
  return max;
}
