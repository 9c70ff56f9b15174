import {
  Kind,
  TypeInfo,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type SelectionSetNode,
} from 'graphql';
import type { AccessPolicy } from './access-policy.js';
import { explainDenial, isSatisfied, type Denial, type Grants, type Requirement } from './requirement.js';

/** A field the caller may not read, with the reason in the shape callers receive. */
export interface FieldDenial extends Denial {
  /** "Type.field" */
  readonly coordinate: string;
  readonly message: string;
  /**
   * Response keys from the root to the field (aliases as written). List positions are not
   * known before execution, so they are not in it.
   */
  readonly path: readonly string[];
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

/** Aliases the gateway keeps for itself; a caller's alias there could pose as a type name. */
const RESERVED_ALIAS_PREFIX = '__meshgate';

/** The operation uses an alias the gateway reserves (answered 400). */
export class ReservedAliasError extends Error {
  constructor(readonly alias: string) {
    super(`alias "${alias}" is reserved by the gateway`);
  }
}

const TYPENAME_FIELD: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: TYPENAME_ALIAS },
  name: { kind: Kind.NAME, value: '__typename' },
};
const PLAIN_TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

/**
 * Decides, before anything is executed, which selections of an operation the caller may read,
 * and removes the others so that no subgraph ever receives them. What each field and each
 * type condition requires is `policy`'s business (see `AccessPolicy`); a fragment on a type
 * (`... on Memo`) requires that type's rule, and every field it contributes is answered as
 * denied when it is not met. Denials are recorded per field node, so that the result can be
 * answered with `null` and an error at each path (see `applyDenials`).
 */
export function planOperation(policy: AccessPolicy, normalized: DocumentNode, grants: Grants): OperationPlan {
  const schema = policy.schema;
  const denials = new Map<FieldNode, FieldDenial>();
  const typeInfo = new TypeInfo(schema);

  const deny = (node: FieldNode, path: readonly string[], coordinate: string, requirement: Requirement) => {
    const denial = explainDenial(requirement, grants);
    denials.set(node, { coordinate, ...denial, message: denialMessage(coordinate, denial, grants), path });
  };

  const filtered = visit(
    normalized,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node, _key, _parent, _path, ancestors) {
          if (node.alias?.value.startsWith(RESERVED_ALIAS_PREFIX)) throw new ReservedAliasError(node.alias.value);
          if (node.name.value.startsWith('__')) return undefined;
          const parent = typeInfo.getParentType();
          if (!parent || !typeInfo.getFieldDef()) return undefined;
          const requirement = policy.fieldRequirement(parent, node.name.value);
          if (!requirement || isSatisfied(requirement, grants)) return undefined;
          deny(node, [...responsePath(ancestors), responseKey(node)], `${parent.name}.${node.name.value}`, requirement);
          return null;
        },
      },
      InlineFragment: {
        enter(node, _key, _parent, _path, ancestors) {
          const condition = node.typeCondition && schema.getType(node.typeCondition.name.value);
          if (!condition || !(isObjectType(condition) || isInterfaceType(condition))) return undefined;
          const requirement = policy.typeRequirement(condition);
          if (!requirement || isSatisfied(requirement, grants)) return undefined;
          // Every field this fragment contributes is answered as denied by the type's rule.
          const base = responsePath(ancestors);
          for (const field of directFields(node.selectionSet)) {
            deny(field, [...base, responseKey(field)], `${condition.name}.${field.name.value}`, requirement);
          }
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

/** The key a field's value has in the response. */
export function responseKey(field: FieldNode): string {
  return field.alias?.value ?? field.name.value;
}

/** Response keys of the fields among a node's ancestors (as `visit` passes them). */
export function responsePath(ancestors: readonly (ASTNode | readonly ASTNode[])[]): string[] {
  const path: string[] = [];
  for (const ancestor of ancestors) {
    if (!Array.isArray(ancestor) && (ancestor as ASTNode).kind === Kind.FIELD) path.push(responseKey(ancestor as FieldNode));
  }
  return path;
}

/**
 * The fields a selection set contributes at its own level (through nested inline fragments).
 * `__typename` is left out: it is answered from the value's type, never denied.
 */
function directFields(set: SelectionSetNode): FieldNode[] {
  const out: FieldNode[] = [];
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) out.push(selection);
    }
    else if (selection.kind === Kind.INLINE_FRAGMENT) out.push(...directFields(selection.selectionSet));
  }
  return out;
}

/** The one-line reason callers read, naming what they lack. */
export function denialMessage(coordinate: string, denial: Denial, grants: Grants): string {
  if (!grants.authenticated) return `Not authorized to read ${coordinate}: sign in with a token.`;
  if (denial.missingScopes.length === 0) return `Not authorized to read ${coordinate}.`;
  const options = denial.missingScopes.map((all) => all.join(' and ')).join('; or ');
  return `Not authorized to read ${coordinate}: needs scope ${options}.`;
}
