import {
  Kind,
  isExecutableDefinitionNode,
  isInterfaceType,
  isObjectType,
  type ConstDirectiveNode,
  type DirectiveDefinitionNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { AuthorizationRuleError } from '../errors.js';
import { AUTHENTICATED, authenticatedRequirement } from './authenticated-directive.js';
import { REQUIRES_SCOPES, requiresScopesRequirement } from './requires-scopes-directive.js';
import { combine, type Requirement } from './requirement.js';

/** Locations where the gateway can enforce a rule (DESIGN.md "Authorization directives"). */
const ENFORCEABLE = new Set(['FIELD_DEFINITION', 'OBJECT', 'INTERFACE', 'SCALAR', 'ENUM']);
const RULE_TYPE_KINDS = new Set<string>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.OBJECT_TYPE_EXTENSION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_EXTENSION,
  Kind.SCALAR_TYPE_DEFINITION,
  Kind.SCALAR_TYPE_EXTENSION,
  Kind.ENUM_TYPE_DEFINITION,
  Kind.ENUM_TYPE_EXTENSION,
]);

/**
 * The access rules of the whole graph: every `@authenticated` / `@requiresScopes` of every
 * subgraph's SDL, keyed by type and by "Type.field". The same coordinate declared by several
 * subgraphs (or by a gateway rule) requires all of them: rules only ever add up.
 */
export class AuthorizationRules {
  readonly #types = new Map<string, Requirement>();
  readonly #fields = new Map<string, Requirement>();

  typeRule(typeName: string): Requirement | undefined {
    return this.#types.get(typeName);
  }

  fieldRule(typeName: string, fieldName: string): Requirement | undefined {
    return this.#fields.get(`${typeName}.${fieldName}`);
  }

  /** Every coordinate with a rule: types as "Type", fields as "Type.field". */
  coordinates(): string[] {
    return [...this.#types.keys(), ...this.#fields.keys()];
  }

  /** An independent copy: adding to it leaves this one as it is. */
  copy(): AuthorizationRules {
    const copy = new AuthorizationRules();
    for (const [name, requirement] of this.#types) copy.#types.set(name, requirement);
    for (const [key, requirement] of this.#fields) copy.#fields.set(key, requirement);
    return copy;
  }

  get size(): number {
    return this.#types.size + this.#fields.size;
  }

  addTypeRule(typeName: string, requirement: Requirement): void {
    this.#types.set(typeName, combine(this.#types.get(typeName), requirement) as Requirement);
  }

  addFieldRule(typeName: string, fieldName: string, requirement: Requirement): void {
    const key = `${typeName}.${fieldName}`;
    this.#fields.set(key, combine(this.#fields.get(key), requirement) as Requirement);
  }

  /**
   * Reads the rules a subgraph declares in its SDL. Throws `AuthorizationRuleError` for a rule
   * meshgate cannot enforce: a redefined directive, a rule in an unsupported place, bad arguments.
   */
  addFromSdl(subgraph: string, document: DocumentNode): void {
    for (const definition of document.definitions) {
      if (isExecutableDefinitionNode(definition)) continue;
      if (definition.kind === Kind.DIRECTIVE_DEFINITION) checkDefinition(subgraph, definition);
      else if (RULE_TYPE_KINDS.has(definition.kind) && 'name' in definition && definition.name) {
        const typeName = definition.name.value;
        const typeRule = requirementOf(definition.directives, `${subgraph}: ${typeName}`);
        if (typeRule) this.addTypeRule(typeName, typeRule);
        const fields = 'fields' in definition ? definition.fields : undefined;
        for (const field of fields ?? []) {
          if (!('arguments' in field)) continue;
          const where = `${subgraph}: ${typeName}.${field.name.value}`;
          const rule = requirementOf(field.directives, where);
          if (rule) this.addFieldRule(typeName, field.name.value, rule);
          for (const arg of field.arguments ?? []) rejectRules(arg.directives, `${where}(${arg.name.value}:)`);
        }
      } else if ('directives' in definition) {
        const name = 'name' in definition && definition.name ? definition.name.value : definition.kind;
        rejectRules(definition.directives, `${subgraph}: ${name}`);
        for (const value of ('values' in definition ? definition.values : undefined) ?? []) {
          rejectRules(value.directives, `${subgraph}: ${name}.${value.name.value}`);
        }
        for (const field of ('fields' in definition ? definition.fields : undefined) ?? []) {
          rejectRules(field.directives, `${subgraph}: ${name}.${field.name.value}`);
        }
      }
    }
  }

  /**
   * Fails closed when a rule's coordinate is not in the composed graph (a rule lost in
   * composition would protect nothing). `hidden` names fields removed on purpose (merge
   * resolvers, `_sdl`), whose rules are moot.
   */
  assertEnforceable(schema: GraphQLSchema, hidden: (typeName: string, fieldName: string) => boolean): void {
    for (const typeName of this.#types.keys()) {
      if (!schema.getType(typeName)) throw new AuthorizationRuleError(`rule on ${typeName} is lost in composition: no such type in the graph`);
    }
    for (const key of this.#fields.keys()) {
      const [typeName, fieldName] = key.split('.') as [string, string];
      const type = schema.getType(typeName);
      const exists = (isObjectType(type) || isInterfaceType(type)) && type.getFields()[fieldName];
      if (!exists && !hidden(typeName, fieldName)) {
        throw new AuthorizationRuleError(`rule on ${key} is lost in composition: no such field in the graph`);
      }
    }
  }
}

function checkDefinition(subgraph: string, definition: DirectiveDefinitionNode): void {
  const name = definition.name.value;
  if (name !== AUTHENTICATED && name !== REQUIRES_SCOPES) return;
  const bad = definition.locations.find((l) => !ENFORCEABLE.has(l.value));
  if (bad) throw new AuthorizationRuleError(`${subgraph}: @${name} is declared on ${bad.value}, where meshgate cannot enforce it`);
  const args = definition.arguments ?? [];
  const expected = name === AUTHENTICATED ? [] : ['scopes'];
  if (args.map((a) => a.name.value).join() !== expected.join()) {
    throw new AuthorizationRuleError(`${subgraph}: @${name} is declared with arguments meshgate does not know`);
  }
}

function requirementOf(directives: readonly ConstDirectiveNode[] | undefined, where: string): Requirement | undefined {
  let requirement: Requirement | undefined;
  for (const directive of directives ?? []) {
    if (directive.name.value === AUTHENTICATED) requirement = combine(requirement, authenticatedRequirement(directive, where));
    else if (directive.name.value === REQUIRES_SCOPES) requirement = combine(requirement, requiresScopesRequirement(directive, where));
  }
  return requirement;
}

function rejectRules(directives: readonly ConstDirectiveNode[] | undefined, where: string): void {
  const rule = directives?.find((d) => d.name.value === AUTHENTICATED || d.name.value === REQUIRES_SCOPES);
  if (rule) throw new AuthorizationRuleError(`${where}: @${rule.name.value} is not supported here; meshgate enforces rules on fields, objects, interfaces, scalars and enums`);
}
