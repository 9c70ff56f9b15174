// A small graph with every kind of rule, executed locally: the unit tests of planning,
// answering denials, filtering the schema and explaining use it.
import { buildASTSchema, execute, parse, print, printSchema, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { AccessPolicy } from '../../src/authz/access-policy.js';
import { applyDenials } from '../../src/authz/apply-denials.js';
import { AuthorizationPlanner, type RequestPlan } from '../../src/authz/authorization-planner.js';
import { AuthorizationRules } from '../../src/authz/authorization-rules.js';
import type { Grants } from '../../src/authz/requirement.js';

export const LOCAL_SDL = /* GraphQL */ `
  directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM

  type Query {
    me: Employee
    employees: [Employee!]!
    notes: [Note!]!
    hits: [Hit!]
    budget: Money
    level: Level
    secrets: [Secret!]
    status: String
  }

  type Mutation {
    ping: String
    raiseSalary(id: ID!, amount: Int!): Employee @requiresScopes(scopes: [["HR.Write"]])
  }

  type Employee @authenticated {
    id: ID!
    name: String!
    salary: Int! @requiresScopes(scopes: [["HR.Read"]])
    bonus: Int @requiresScopes(scopes: [["HR.Read"], ["Payroll.Read"]])
    manager: Employee
    level: Level
  }

  interface Note {
    id: ID!
    title: String!
    body: String
  }

  type Memo implements Note @requiresScopes(scopes: [["Memo.Read"]]) {
    id: ID!
    title: String!
    body: String
  }

  type Post implements Note {
    id: ID!
    title: String!
    body: String @requiresScopes(scopes: [["Post.Body"]])
  }

  "A rule on an interface and on an interface field: implementations inherit both."
  interface Secret @requiresScopes(scopes: [["Secret.Read"]]) {
    id: ID!
    code: String @requiresScopes(scopes: [["Secret.Code"]])
  }

  type Vault implements Secret {
    id: ID!
    code: String
  }

  union Hit = Employee | Memo | Post

  scalar Money @requiresScopes(scopes: [["Finance.Read"]])

  enum Level @requiresScopes(scopes: [["HR.Read"]]) {
    JUNIOR
    SENIOR
  }
`;

const ADA = { id: 'E1', name: 'Ada', salary: 100, bonus: 10, level: 'SENIOR', managerId: 'E2' };
const ALAN = { id: 'E2', name: 'Alan', salary: 200, bonus: 20, level: 'SENIOR', managerId: null };
const EMPLOYEES = [ADA, ALAN];
const MEMO = { kind: 'Memo', id: 'M1', title: 'Memo', body: 'memo body' };
const POST = { kind: 'Post', id: 'P1', title: 'Post', body: 'post body' };

export interface LocalGraph {
  readonly schema: GraphQLSchema;
  readonly rules: AuthorizationRules;
  readonly policy: AccessPolicy;
  readonly planner: AuthorizationPlanner;
  /** "Type.field" of every resolver that ran, in order (proves what was executed). */
  readonly resolved: string[];
  /** Plans, executes the allowed part and answers the denials, like the gateway does for data. */
  run(query: string, grants: Grants, variables?: Record<string, unknown>): Promise<{ result: ExecutionResult; executed: string | undefined; plan: RequestPlan }>;
}

export const grants = (...scopes: string[]): Grants => ({ authenticated: true, scopes: new Set(scopes) });
export const ANONYMOUS: Grants = { authenticated: false, scopes: new Set() };

export function localGraph(): LocalGraph {
  const resolved: string[] = [];
  const track = <T>(coordinate: string, value: T): T => {
    resolved.push(coordinate);
    return value;
  };
  const schema = createSchema({
    typeDefs: LOCAL_SDL,
    resolvers: {
      Query: {
        me: () => track('Query.me', ADA),
        employees: () => track('Query.employees', EMPLOYEES),
        notes: () => track('Query.notes', [MEMO, POST]),
        hits: () => track('Query.hits', [ADA, MEMO, POST]),
        budget: () => track('Query.budget', 1000),
        level: () => track('Query.level', 'JUNIOR'),
        secrets: () => track('Query.secrets', [{ id: 'V1', code: '1234' }]),
        status: () => track('Query.status', 'green'),
      },
      Mutation: {
        ping: () => track('Mutation.ping', 'pong'),
        raiseSalary: (_: unknown, { id, amount }: { id: string; amount: number }) => {
          const employee = EMPLOYEES.find((e) => e.id === id);
          return track('Mutation.raiseSalary', employee ? { ...employee, salary: employee.salary + amount } : null);
        },
      },
      Employee: {
        salary: (e: typeof ADA) => track('Employee.salary', e.salary),
        manager: (e: typeof ADA) => track('Employee.manager', EMPLOYEES.find((m) => m.id === e.managerId) ?? null),
      },
      Note: { __resolveType: (n: typeof MEMO) => n.kind },
      Secret: { __resolveType: () => 'Vault' },
      Hit: { __resolveType: (h: { kind?: string }) => h.kind ?? 'Employee' },
      Post: { body: (p: typeof POST) => track('Post.body', p.body) },
      Memo: { body: (m: typeof MEMO) => track('Memo.body', m.body) },
    },
  });
  const rules = new AuthorizationRules();
  rules.addFromSdl('local', parse(LOCAL_SDL));
  const policy = new AccessPolicy(schema, rules);
  const planner = new AuthorizationPlanner(policy);
  const shadow = buildASTSchema(parse(printSchema(schema)));
  return {
    schema,
    rules,
    policy,
    planner,
    resolved,
    async run(query, caller, variables) {
      const document = parse(query);
      const plan = planner.plan(document, undefined, caller);
      if (!plan?.data) throw new Error('no data part');
      const args = { variableValues: variables ?? null, operationName: null };
      const fetched = (await execute({ schema, document: plan.data.filtered, ...args })) as ExecutionResult;
      const result = plan.data.denials.size > 0 ? await applyDenials(shadow, plan.data, fetched, args) : fetched;
      return { result: JSON.parse(JSON.stringify(result)) as ExecutionResult, executed: print(plan.data.filtered), plan };
    },
  };
}
