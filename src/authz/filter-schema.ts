import {
  GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isSpecifiedDirective,
  isUnionType,
  validateSchema,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLUnionType,
} from 'graphql';
import { MapperKind, mapSchema, pruneSchema } from '@graphql-tools/utils';
import type { AccessPolicy } from './access-policy.js';
import { isSatisfied, type Grants } from './requirement.js';

/**
 * The graph as one caller may see it: what `__schema` / `__type` (and so GraphiQL's docs)
 * show to that caller. It holds exactly the fields the caller may read according to `policy`,
 * the same decisions the operation planner takes:
 *
 * - a field is shown when its requirement is met and its type is shown;
 * - an object or interface type is shown when its own rule is met and it keeps a field;
 *   a union when it keeps a member; an interface field only while every shown implementation
 *   still has it (the schema stays valid);
 * - root types stay (an empty mutation root is dropped; an empty query root stays, so that
 *   `{ __typename }` and introspection still answer); types no longer referenced are pruned;
 * - only the specified directives are shown (stitching and authorization directives are the
 *   gateway's and the subgraphs' business).
 *
 * The result is for introspection only: it is never used to execute data.
 */
export function filterSchemaFor(policy: AccessPolicy, grants: Grants): GraphQLSchema {
  const schema = policy.schema;
  const query = schema.getQueryType();
  const roots = new Set([query, schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) => (t ? [t.name] : [])));
  const allowed = (requirement: ReturnType<AccessPolicy['typeRequirement']>) => !requirement || isSatisfied(requirement, grants);

  // Start from what the rules allow, then remove what becomes unreachable until nothing changes.
  const hiddenTypes = new Set<string>();
  const hiddenFields = new Set<string>();
  const composites = Object.values(schema.getTypeMap()).filter(
    (t): t is GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType =>
      !t.name.startsWith('__') && (isObjectType(t) || isInterfaceType(t) || isUnionType(t)),
  );
  for (const type of composites) {
    if (!roots.has(type.name) && !allowed(policy.typeRequirement(type))) hiddenTypes.add(type.name);
    if (isUnionType(type)) continue;
    for (const name of Object.keys(type.getFields())) {
      if (!allowed(policy.fieldRequirement(type, name))) hiddenFields.add(`${type.name}.${name}`);
    }
  }
  const shown = (type: GraphQLNamedType) => !hiddenTypes.has(type.name);
  for (let changed = true; changed; ) {
    changed = false;
    const hideType = (name: string) => {
      if (roots.has(name) || hiddenTypes.has(name)) return;
      hiddenTypes.add(name);
      changed = true;
    };
    const hideField = (coordinate: string) => {
      if (hiddenFields.has(coordinate)) return;
      hiddenFields.add(coordinate);
      changed = true;
    };
    for (const type of composites) {
      if (!shown(type)) continue;
      if (isUnionType(type)) {
        if (!type.getTypes().some(shown)) hideType(type.name);
        continue;
      }
      const fields = Object.values(type.getFields());
      for (const field of fields) {
        const coordinate = `${type.name}.${field.name}`;
        if (hiddenFields.has(coordinate)) continue;
        if (!shown(getNamedType(field.type))) hideField(coordinate);
        else if (isInterfaceType(type)) {
          const lacking = schema.getPossibleTypes(type).some((p) => shown(p) && hiddenFields.has(`${p.name}.${field.name}`));
          if (lacking) hideField(coordinate);
        }
      }
      if (fields.every((f) => hiddenFields.has(`${type.name}.${f.name}`))) hideType(type.name);
    }
  }

  const mapped = mapSchema(schema, {
    [MapperKind.TYPE]: (type) => (hiddenTypes.has(type.name) ? null : type),
    [MapperKind.COMPOSITE_FIELD]: (config, fieldName, typeName) => (hiddenFields.has(`${typeName}.${fieldName}`) ? null : config),
    [MapperKind.DIRECTIVE]: (directive) => (isSpecifiedDirective(directive) ? directive : null),
  });
  const emptyRoot = (name: string | undefined) => {
    const type = name ? mapped.getType(name) : undefined;
    return isObjectType(type) && Object.keys(type.getFields()).length === 0;
  };
  const config = mapped.toConfig();
  const pruned = pruneSchema(
    new GraphQLSchema({
      ...config,
      mutation: emptyRoot(config.mutation?.name) ? null : config.mutation,
      subscription: emptyRoot(config.subscription?.name) ? null : config.subscription,
      types: config.types.filter((t) => !(roots.has(t.name) && t.name !== query?.name && emptyRoot(t.name))),
    }),
    // Empty types are already hidden above; an empty Query root must stay. Types no root
    // reaches go, interfaces included: their name alone would tell what exists.
    { skipEmptyCompositeTypePruning: true },
  );
  if (emptyRoot(query?.name)) {
    // A caller who may read nothing still gets a schema to introspect: an empty Query root
    // (invalid by the letter of the spec, harmless for introspection, and nothing is hidden in it).
    return new GraphQLSchema({ ...pruned.toConfig(), assumeValid: true });
  }
  const errors = validateSchema(pruned);
  // Removing parts of a valid schema the way above keeps it valid; if not, refuse rather than guess.
  if (errors.length > 0) throw new Error(`filtered schema is invalid: ${errors[0]?.message}`);
  return pruned;
}
