import {
  Kind,
  TypeInfo,
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { AuthorizationRules } from './authorization-rules.js';
import { combine, explainDenial, isSatisfied, type Denial, type Grants, type Requirement } from './requirement.js';

/** A field the caller may not read, with the reason in the shape callers receive. */
export interface FieldDenial extends Denial {
  /** "Type.field" */
  readonly coordinate: string;
  readonly message: string;
}

/** How to run one document for one set of grants. */
export interface OperationPlan {
  /** The document with fragments inlined: what the caller asked, node for node. */
  readonly normalized: DocumentNode;
  /** What may be executed: `normalized` without the denied selections. */
  readonly filtered: DocumentNode;
  /** Denied field nodes of `normalized`, by identity. Empty when everything is allowed. */
  readonly denials: ReadonlyMap<FieldNode, FieldDenial>;
}

/** Response key under which the filtered document asks for `__typename` of abstract values. */
export const TYPENAME_ALIAS = '__meshgate_typename';

const TYPENAME_FIELD: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: TYPENAME_ALIAS },
  name: { kind: Kind.NAME, value: '__typename' },
};
const PLAIN_TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

/**
 * Decides, before anything is executed, which selections of an operation the caller may read,
 * and removes the others so that no subgraph ever receives them.
 *
 * - A field requires its own rule and its return type's rule.
 * - A field selected on an interface requires, for every possible type, that type's rule and
 *   its rule on the field: the value could be any of them.
 * - A fragment on a type (`... on Memo`) requires that type's rule.
 * Denials are recorded per field node, so that the result can be answered with `null` and an
 * error at each path (see `applyDenials`).
 */
export function planOperation(
  schema: GraphQLSchema,
  rules: AuthorizationRules,
  normalized: DocumentNode,
  grants: Grants,
): OperationPlan {
  const denials = new Map<FieldNode, FieldDenial>();
  const typeInfo = new TypeInfo(schema);

  const deny = (node: FieldNode, coordinate: string, requirement: Requirement) => {
    const denial = explainDenial(requirement, grants);
    denials.set(node, { coordinate, ...denial, message: denialMessage(coordinate, denial, grants) });
  };

  const filtered = visit(
    normalized,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          if (node.name.value.startsWith('__')) return undefined;
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          if (!parent || !field) return undefined;
          const requirement = fieldRequirement(schema, rules, parent, node.name.value, getNamedType(field.type).name);
          if (!requirement || isSatisfied(requirement, grants)) return undefined;
          deny(node, `${parent.name}.${node.name.value}`, requirement);
          return null;
        },
      },
      InlineFragment: {
        enter(node) {
          const condition = node.typeCondition && schema.getType(node.typeCondition.name.value);
          if (!condition || !(isObjectType(condition) || isInterfaceType(condition))) return undefined;
          const requirement = typeRequirement(schema, rules, condition);
          if (!requirement || isSatisfied(requirement, grants)) return undefined;
          // Every field this fragment contributes is answered as denied by the type's rule.
          for (const field of directFields(node.selectionSet)) deny(field, `${condition.name}.${field.name.value}`, requirement);
          return null;
        },
      },
      SelectionSet: {
        leave(node) {
          const parent = typeInfo.getParentType();
          const needsTypename = parent !== null && isAbstractType(parent);
          if (!needsTypename && node.selections.length > 0) return undefined;
          // An empty selection set is invalid: ask for __typename instead. Abstract values need
          // their concrete type name so the denied fields can be answered per type.
          const added = needsTypename ? TYPENAME_FIELD : PLAIN_TYPENAME;
          return { ...node, selections: [...node.selections, added] } satisfies SelectionSetNode;
        },
      },
    }),
  ) as DocumentNode;

  return { normalized, filtered: denials.size > 0 ? filtered : normalized, denials };
}

function fieldRequirement(
  schema: GraphQLSchema,
  rules: AuthorizationRules,
  parent: GraphQLCompositeType,
  fieldName: string,
  returnTypeName: string,
): Requirement | undefined {
  let requirement = combine(rules.fieldRule(parent.name, fieldName), rules.typeRule(returnTypeName));
  if (isAbstractType(parent)) {
    for (const possible of schema.getPossibleTypes(parent)) {
      requirement = combine(requirement, combine(rules.fieldRule(possible.name, fieldName), rules.typeRule(possible.name)));
    }
  }
  return requirement;
}

function typeRequirement(schema: GraphQLSchema, rules: AuthorizationRules, type: GraphQLCompositeType): Requirement | undefined {
  let requirement = rules.typeRule(type.name);
  if (isAbstractType(type)) {
    for (const possible of schema.getPossibleTypes(type)) requirement = combine(requirement, rules.typeRule(possible.name));
  }
  return requirement;
}

/** The fields a selection set contributes at its own level (through nested inline fragments). */
function directFields(set: SelectionSetNode): FieldNode[] {
  const out: FieldNode[] = [];
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) out.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) out.push(...directFields(selection.selectionSet));
  }
  return out;
}

function denialMessage(coordinate: string, denial: Denial, grants: Grants): string {
  if (!grants.authenticated) return `Not authorized to read ${coordinate}: sign in with a token.`;
  if (denial.missingScopes.length === 0) return `Not authorized to read ${coordinate}.`;
  const options = denial.missingScopes.map((all) => all.join(' and ')).join('; or ');
  return `Not authorized to read ${coordinate}: needs scope ${options}.`;
}

