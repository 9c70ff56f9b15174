import { buildASTSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AuthorizationRules } from '../../src/authz/authorization-rules.js';
import { authorizeGraph } from '../../src/authz/authorized-graph.js';
import { withGatewayRules } from '../../src/authz/gateway-rules.js';
import { AuthorizationRuleError, ConfigError } from '../../src/errors.js';
import { composeGraph } from '../../src/stitching/compose-graph.js';
import { grants, localGraph } from './local-schema.js';

const DIRECTIVES = /* GraphQL */ `
  directive @key(selectionSet: String!) on OBJECT
  directive @merge(argsExpr: String, keyArg: String, keyField: String, key: [String!], additionalArgs: String) on FIELD_DEFINITION
  directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
`;
const HR = `${DIRECTIVES}
  type Employee @key(selectionSet: "{ id }") {
    id: ID!
    name: String!
    salary: Int @requiresScopes(scopes: [["HR.Read"]])
  }
  type Query {
    employee(id: ID!): Employee
    _employeesByIds(ids: [ID!]!): [Employee]! @merge(keyField: "id")
  }
`;
const PAYROLL = `${DIRECTIVES}
  type Employee @key(selectionSet: "{ id }") {
    id: ID!
    salary: Int @requiresScopes(scopes: [["Payroll.Read"]])
  }
  type Query {
    _payrollEmployeesByIds(ids: [ID!]!): [Employee]! @merge(keyField: "id")
  }
`;

const subgraph = (name: string, sdl: string) => ({ name, sdl: { sdl, document: parse(sdl) }, executor: async () => ({ data: null }) });

describe('rules of the composed graph', () => {
  it('requires both rules when two subgraphs declare the same field with different rules', () => {
    const graph = composeGraph([subgraph('hr', HR), subgraph('payroll', PAYROLL)]);
    expect(graph.rules.fieldRule('Employee', 'salary')).toEqual({ authenticated: true, scopes: [[['HR.Read']], [['Payroll.Read']]] });
    const authorized = authorizeGraph(graph);
    const document = parse('{ employee(id: "1") { name salary } }');
    const hrOnly = authorized.planner.plan(document, undefined, grants('HR.Read'));
    expect([...(hrOnly?.data?.denials.values() ?? [])]).toEqual([
      {
        coordinate: 'Employee.salary',
        requiredScopes: [['HR.Read', 'Payroll.Read']],
        missingScopes: [['Payroll.Read']],
        message: 'Not authorized to read Employee.salary: needs scope Payroll.Read.',
        path: ['employee', 'salary'],
      },
    ]);
    expect(authorized.planner.plan(document, undefined, grants('HR.Read', 'Payroll.Read'))?.data?.denials.size).toBe(0);
  });

  it('fails closed on a directive argument it does not know (definition or use)', () => {
    const extraArgument = HR.replace('directive @requiresScopes(scopes: [[String!]!]!)', 'directive @requiresScopes(scopes: [[String!]!]!, mode: String)');
    expect(() => composeGraph([subgraph('hr', extraArgument)])).toThrow(new AuthorizationRuleError('hr: @requiresScopes is declared with arguments meshgate does not know'));
    const extraUse = HR.replace('@requiresScopes(scopes: [["HR.Read"]])', '@requiresScopes(scopes: [["HR.Read"]], mode: "any")');
    expect(() => composeGraph([subgraph('hr', extraUse)])).toThrow(new AuthorizationRuleError('hr: Employee.salary: @requiresScopes has an unknown argument "mode"'));
    const authenticatedWithArgument = HR.replace('name: String!', 'name: String! @authenticated(strict: true)');
    expect(() => composeGraph([subgraph('hr', authenticatedWithArgument)])).toThrow(new AuthorizationRuleError('hr: Employee.name: @authenticated takes no arguments'));
  });

  it('fails closed on a rule on an argument (declared there or used there)', () => {
    const declared = HR.replace('on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n\n  type', 'on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM | ARGUMENT_DEFINITION\n\n  type');
    expect(declared).not.toBe(HR);
    expect(() => composeGraph([subgraph('hr', declared)])).toThrow(
      new AuthorizationRuleError('hr: @requiresScopes is declared on ARGUMENT_DEFINITION, where meshgate cannot enforce it'),
    );
    const used = HR.replace('employee(id: ID!)', 'employee(id: ID! @requiresScopes(scopes: [["HR.Read"]]))');
    expect(() => composeGraph([subgraph('hr', used)])).toThrow(
      new AuthorizationRuleError('hr: Query.employee(id:): @requiresScopes is not supported here; meshgate enforces rules on fields, objects, interfaces, scalars and enums'),
    );
    const empty = HR.replace('@requiresScopes(scopes: [["HR.Read"]])', '@requiresScopes(scopes: [[]])');
    expect(() => composeGraph([subgraph('hr', empty)])).toThrow(new AuthorizationRuleError('hr: Employee.salary: @requiresScopes needs at least one scope in every alternative'));
  });

  it('fails closed when a rule\'s coordinate is lost in composition', () => {
    const rules = new AuthorizationRules();
    rules.addFromSdl('hr', parse(HR));
    const withoutSalary = buildASTSchema(parse('type Employee { id: ID! name: String! } type Query { employee(id: ID!): Employee }'));
    expect(() => rules.assertEnforceable(withoutSalary, () => false)).toThrow(new AuthorizationRuleError('rule on Employee.salary is lost in composition: no such field in the graph'));
  });
});

describe('gateway rules (authorization.rules)', () => {
  it('add to the subgraphs\' rules and never relax them', () => {
    const { schema, rules } = localGraph();
    const combined = withGatewayRules(rules, schema, {
      'Employee.salary': [['Payroll.Admin']],
      'Employee.name': [['HR.Names'], ['HR.Read']],
      Post: [['Post.Read']],
    });
    expect(combined.fieldRule('Employee', 'salary')).toEqual({ authenticated: true, scopes: [[['HR.Read']], [['Payroll.Admin']]] });
    expect(combined.fieldRule('Employee', 'name')).toEqual({ authenticated: true, scopes: [[['HR.Names'], ['HR.Read']]] });
    expect(combined.typeRule('Post')).toEqual({ authenticated: true, scopes: [[['Post.Read']]] });
    // The subgraphs' rules object is left as it was.
    expect(rules.fieldRule('Employee', 'salary')).toEqual({ authenticated: true, scopes: [[['HR.Read']]] });
    expect(rules.fieldRule('Employee', 'name')).toBeUndefined();
  });

  it.each([
    [{ 'Employee.emial': [['A']] }, 'config: authorization.rules["Employee.emial"]: no field emial on Employee in the composed graph'],
    [{ Employe: [['A']] }, 'config: authorization.rules["Employe"]: no type Employe in the composed graph'],
    [{ 'Hit.name': [['A']] }, 'config: authorization.rules["Hit.name"]: no field name on Hit in the composed graph'],
    [{ Hit: [['A']] }, 'config: authorization.rules["Hit"]: Hit is not an object, interface, scalar or enum; meshgate cannot enforce a rule on it'],
    [{ 'Employee.name': [['has space']] }, 'config: authorization.rules["Employee.name"]: "has space" is not a scope'],
    [{ 'Employee.name': [[]] }, 'config: authorization.rules["Employee.name"]: every alternative needs at least one scope'],
    [{ 'Employee.name': [] }, 'config: authorization.rules["Employee.name"]: needs at least one list of scopes'],
    [{ '__Schema.types': [['A']] }, 'config: authorization.rules["__Schema.types"]: no type __Schema in the composed graph'],
  ])('refuses %j with a message naming the entry', (configured, message) => {
    const { schema, rules } = localGraph();
    expect(() => withGatewayRules(rules, schema, configured)).toThrow(new ConfigError(message));
  });
});
