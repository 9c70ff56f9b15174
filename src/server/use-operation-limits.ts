import { GraphQLError, Kind, type ASTNode, type ASTVisitor, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Refuses operations nested deeper than `maxDepth` fields (HTTP 400), before any planning or
 * delegation. Introspection (`__schema`, `__type`) is not counted: its own shape is fixed.
 */
export function useOperationLimits(options: { maxDepth: number }): Plugin {
  const { maxDepth } = options;
  // Checked where the answer's HTTP status can still be set (a validation error would be 200
  // for JSON clients); once per document, which the parser cache shares between requests.
  const tooDeep = new WeakMap<DocumentNode, boolean>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      let refused = tooDeep.get(args.document);
      if (refused === undefined) {
        refused = operationDepth(args.document) > maxDepth;
        tooDeep.set(args.document, refused);
      }
      if (refused) setResultAndStopExecution({ errors: [depthError(maxDepth)] });
    },
  };
}

/** With `nodes`: a validation error (its endpoint sets the status); without: the /graphql answer. */
function depthError(maxDepth: number, nodes?: readonly ASTNode[]): GraphQLError {
  return new GraphQLError(`Operation is nested deeper than ${maxDepth} fields.`, {
    ...(nodes ? { nodes } : {}),
    extensions: nodes ? { code: 'BAD_REQUEST' } : { code: 'BAD_REQUEST', http: { status: 400 } },
  });
}

/** The deepest operation of a document, in fields (introspection not counted). */
function operationDepth(document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let max = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) max = Math.max(max, depthOf(definition.selectionSet, fragments, new Set(), 1000));
  }
  return max;
}

/** The validation rule behind `useOperationLimits`, for other entry points (`/explain`). */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of context.getDocument().definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      }
      const depth = depthOf(operation.selectionSet, fragments, new Set(), maxDepth + 1);
      if (depth > maxDepth) {
        context.reportError(depthError(maxDepth, [operation]));
      }
    },
  });
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
