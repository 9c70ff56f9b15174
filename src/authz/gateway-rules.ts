import { isEnumType, isInterfaceType, isObjectType, isScalarType, type GraphQLSchema } from 'graphql';
import { ConfigError } from '../errors.js';
import type { AuthorizationRules } from './authorization-rules.js';
import { isScopeToken } from './requires-scopes-directive.js';
import type { Requirement } from './requirement.js';

/** `authorization.rules` of the configuration: "Type" or "Type.field" → OR of ANDs of scopes. */
export type GatewayRuleConfig = Readonly<Record<string, readonly (readonly string[])[]>>;

/**
 * The subgraphs' rules plus the gateway's own (`authorization.rules`). Gateway rules only add:
 * a coordinate with rules in both requires both, so configuration can tighten a data product's
 * rules but never relax them. Every coordinate must exist in the composed graph and every scope
 * must be a scope token; otherwise this throws a `ConfigError` naming the entry, and the gateway
 * does not start (a mistyped coordinate would protect nothing).
 *
 * @example
 * withGatewayRules(graph.rules, graph.schema, { 'Customer.email': [['Customers.PII.Read']] });
 */
export function withGatewayRules(rules: AuthorizationRules, schema: GraphQLSchema, configured: GatewayRuleConfig): AuthorizationRules {
  const entries = Object.entries(configured);
  if (entries.length === 0) return rules;
  const combined = rules.copy();
  for (const [coordinate, alternatives] of entries) {
    const where = `config: authorization.rules["${coordinate}"]`;
    const requirement = requirementOf(alternatives, where);
    const [typeName = '', fieldName, extra] = coordinate.split('.');
    if (extra !== undefined) throw new ConfigError(`${where}: must be "Type" or "Type.field"`);
    const type = schema.getType(typeName);
    if (!type || typeName.startsWith('__')) throw new ConfigError(`${where}: no type ${typeName} in the composed graph`);
    if (fieldName === undefined) {
      if (!(isObjectType(type) || isInterfaceType(type) || isScalarType(type) || isEnumType(type))) {
        throw new ConfigError(`${where}: ${typeName} is not an object, interface, scalar or enum; meshgate cannot enforce a rule on it`);
      }
      combined.addTypeRule(typeName, requirement);
    } else {
      if (!(isObjectType(type) || isInterfaceType(type)) || !type.getFields()[fieldName]) {
        throw new ConfigError(`${where}: no field ${fieldName} on ${typeName} in the composed graph`);
      }
      combined.addFieldRule(typeName, fieldName, requirement);
    }
  }
  return combined;
}

function requirementOf(alternatives: readonly (readonly string[])[], where: string): Requirement {
  if (!Array.isArray(alternatives) || alternatives.length === 0) throw new ConfigError(`${where}: needs at least one list of scopes`);
  for (const all of alternatives) {
    if (!Array.isArray(all) || all.length === 0) throw new ConfigError(`${where}: every alternative needs at least one scope`);
    const bad = all.find((scope) => typeof scope !== 'string' || !isScopeToken(scope));
    if (bad !== undefined) throw new ConfigError(`${where}: "${String(bad)}" is not a scope`);
  }
  return { authenticated: true, scopes: [alternatives.map((all) => [...all])] };
}
