import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  type GraphQLCompositeType,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { AuthorizationRules } from './authorization-rules.js';
import { combine, type Requirement } from './requirement.js';

/**
 * What reading each part of one composed graph requires, derived once from its rules. The
 * operation planner, the filtered introspection schema and `/explain` all ask this one object,
 * so that what a caller sees, what it is told and what it gets always agree.
 *
 * - A field requires its own rule and its return type's rule.
 * - Rules are inherited down: a type requires the rules of the interfaces it implements, and
 *   a field the rule of the same field on those interfaces (otherwise `... on Impl { f }`
 *   would get around a rule written on the interface).
 * - A field selected on an interface requires, for every possible type, that type's rule and
 *   its rule on the field: the value could be any of them.
 * - A root type's own rule applies to every root field.
 *
 * @example
 * const policy = new AccessPolicy(schema, rules);
 * isSatisfied(policy.fieldRequirement(schema.getQueryType()!, 'customer') ?? NO_REQUIREMENT, grants);
 */
export class AccessPolicy {
  readonly schema: GraphQLSchema;
  readonly rules: AuthorizationRules;
  readonly #types = new Map<string, Requirement | null>();
  readonly #fields = new Map<string, Requirement | null>();
  readonly #roots: ReadonlySet<string>;

  constructor(schema: GraphQLSchema, rules: AuthorizationRules) {
    this.schema = schema;
    this.rules = rules;
    this.#roots = new Set(
      [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) => (t ? [t.name] : [])),
    );
  }

  /**
   * What a fragment on `type` (`... on T`) requires: the type's own rule and the rules of the
   * interfaces it implements. Unions carry no rule of their own (their members' rules apply
   * to the fields selected on them).
   */
  typeRequirement(type: GraphQLNamedType): Requirement | undefined {
    const cached = this.#types.get(type.name);
    if (cached !== undefined) return cached ?? undefined;
    let requirement = this.rules.typeRule(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const parent of type.getInterfaces()) requirement = combine(requirement, this.rules.typeRule(parent.name));
    }
    this.#types.set(type.name, requirement ?? null);
    return requirement;
  }

  /** What reading `parent.fieldName` requires; undefined when it has no rule at all. */
  fieldRequirement(parent: GraphQLCompositeType, fieldName: string): Requirement | undefined {
    const key = `${parent.name}.${fieldName}`;
    const cached = this.#fields.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let requirement: Requirement | undefined;
    if (isObjectType(parent)) requirement = this.#concreteField(parent, fieldName);
    else if (isInterfaceType(parent)) requirement = this.#interfaceField(parent, fieldName);
    // A union has no fields but __typename, which is free.
    this.#fields.set(key, requirement ?? null);
    return requirement;
  }

  /** Whether `type` is one of the schema's operation root types. */
  isRoot(type: GraphQLNamedType): boolean {
    return this.#roots.has(type.name);
  }

  #ownField(parent: GraphQLObjectType | GraphQLInterfaceType, fieldName: string): Requirement | undefined {
    const field = parent.getFields()[fieldName];
    if (!field) return undefined;
    let requirement = combine(this.rules.fieldRule(parent.name, fieldName), this.typeRequirement(getNamedType(field.type)));
    for (const parentInterface of parent.getInterfaces()) {
      if (parentInterface.getFields()[fieldName]) requirement = combine(requirement, this.rules.fieldRule(parentInterface.name, fieldName));
    }
    return requirement;
  }

  #concreteField(parent: GraphQLObjectType, fieldName: string): Requirement | undefined {
    const requirement = this.#ownField(parent, fieldName);
    return this.isRoot(parent) ? combine(requirement, this.rules.typeRule(parent.name)) : requirement;
  }

  #interfaceField(parent: GraphQLInterfaceType, fieldName: string): Requirement | undefined {
    let requirement = this.#ownField(parent, fieldName);
    for (const possible of this.schema.getPossibleTypes(parent)) {
      requirement = combine(requirement, combine(this.typeRequirement(possible), this.#concreteField(possible, fieldName)));
    }
    return requirement;
  }
}
