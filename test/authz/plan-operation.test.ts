import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { grantsKey } from '../../src/authz/grants.js';
import { OperationTooLargeError } from '../../src/authz/inline-fragments.js';
import { ReservedAliasError } from '../../src/authz/plan-operation.js';
import { ANONYMOUS, grants, localGraph } from './local-schema.js';

const denied = (path: (string | number)[], coordinate: string, requiredScopes: string[][], missingScopes: string[][], message: string) => ({
  message,
  locations: expect.any(Array),
  path,
  extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate, requiredScopes, missingScopes },
});

describe('planning and answering on a local graph', () => {
  it('answers an anonymous caller null for a field of an @authenticated type, and runs nothing', async () => {
    const graph = localGraph();
    const { result, executed } = await graph.run('{ me { name } }', ANONYMOUS);
    expect(result).toEqual({
      data: { me: null },
      errors: [denied(['me'], 'Query.me', [], [], 'Not authorized to read Query.me: sign in with a token.')],
    });
    expect(executed).toBe('{\n  __typename\n}');
    expect(graph.resolved).toEqual([]);
  });

  it('propagates a denied non-null field to its nullable parent', async () => {
    const graph = localGraph();
    const { result, executed } = await graph.run('{ me { name salary } }', grants());
    expect(result).toEqual({
      data: { me: null },
      errors: [denied(['me', 'salary'], 'Employee.salary', [['HR.Read']], [['HR.Read']], 'Not authorized to read Employee.salary: needs scope HR.Read.')],
    });
    expect(executed).toBe('{\n  me {\n    name\n  }\n}');
    expect(graph.resolved).toEqual(['Query.me']);
    expect((await localGraph().run('{ me { name salary } }', grants('HR.Read'))).result).toEqual({ data: { me: { name: 'Ada', salary: 100 } } });
  });

  it('denies every alias of a field, and accepts any alternative of an OR rule', async () => {
    const graph = localGraph();
    const rule = [['HR.Read'], ['Payroll.Read']];
    const message = 'Not authorized to read Employee.bonus: needs scope HR.Read; or Payroll.Read.';
    expect((await graph.run('{ me { a: bonus b: bonus name } }', grants())).result).toEqual({
      data: { me: { a: null, b: null, name: 'Ada' } },
      errors: [denied(['me', 'a'], 'Employee.bonus', rule, rule, message), denied(['me', 'b'], 'Employee.bonus', rule, rule, message)],
    });
    expect((await graph.run('{ me { a: bonus b: bonus name } }', grants('Payroll.Read'))).result).toEqual({ data: { me: { a: 10, b: 10, name: 'Ada' } } });
  });

  it('requires every implementation\'s rules for a field selected on an interface', async () => {
    const graph = localGraph();
    const { result, executed } = await graph.run('{ notes { id body } }', grants('Memo.Read'));
    const message = 'Not authorized to read Note.body: needs scope Post.Body.';
    expect(result).toEqual({
      data: { notes: [{ id: 'M1', body: null }, { id: 'P1', body: null }] },
      errors: [
        denied(['notes', 0, 'body'], 'Note.body', [['Memo.Read', 'Post.Body']], [['Post.Body']], message),
        denied(['notes', 1, 'body'], 'Note.body', [['Memo.Read', 'Post.Body']], [['Post.Body']], message),
      ],
    });
    expect(executed).toBe('{\n  notes {\n    id\n    __meshgate_typename: __typename\n  }\n}');
    expect(graph.resolved).toEqual(['Query.notes']);
  });

  it('nulls the whole data when a denial propagates through non-null lists to the root', async () => {
    // Note.id needs Memo's type rule (a Memo could be in the list): without it, each id is
    // null, each Note! item too, and the non-null list `notes` takes `data` with it.
    const { result } = await localGraph().run('{ notes { id } }', grants('Post.Body'));
    expect(result).toEqual({
      data: null,
      errors: [
        denied(['notes', 0, 'id'], 'Note.id', [['Memo.Read']], [['Memo.Read']], 'Not authorized to read Note.id: needs scope Memo.Read.'),
      ],
    });
  });

  it('answers the fields of `... on T` as denied by T\'s rule, per value, and leaves other types alone', async () => {
    const graph = localGraph();
    const { result, executed } = await graph.run('{ hits { __typename ... on Memo { body } ... on Post { body } } }', grants('Post.Body'));
    expect(result).toEqual({
      data: { hits: [{ __typename: 'Employee' }, { __typename: 'Memo', body: null }, { __typename: 'Post', body: 'post body' }] },
      errors: [denied(['hits', 1, 'body'], 'Memo.body', [['Memo.Read']], [['Memo.Read']], 'Not authorized to read Memo.body: needs scope Memo.Read.')],
    });
    expect(executed).toBe('{\n  hits {\n    __typename\n    ... on Post {\n      body\n    }\n    __meshgate_typename: __typename\n  }\n}');
    expect(graph.resolved).toEqual(['Query.hits', 'Post.body']);
  });

  it('keeps a value when another selection of the same response key is allowed', async () => {
    // `... on Note { body }` is denied (a Memo's body needs Memo.Read), `... on Post { body }`
    // is not: a Post keeps its body, a Memo gets null and an error.
    const { result } = await localGraph().run('{ hits { ... on Post { body } ... on Note { body } } }', grants('Post.Body'));
    expect(result).toEqual({
      data: { hits: [{}, { body: null }, { body: 'post body' }] },
      errors: [denied(['hits', 1, 'body'], 'Note.body', [['Memo.Read', 'Post.Body']], [['Memo.Read']], 'Not authorized to read Note.body: needs scope Memo.Read.')],
    });
  });

  it('makes implementations inherit the rules of their interfaces (no getting around them with ... on Impl)', async () => {
    const graph = localGraph();
    expect((await graph.run('{ secrets { ... on Vault { id } } }', grants('Secret.Code'))).result).toEqual({
      data: { secrets: null },
      errors: [denied(['secrets'], 'Query.secrets', [['Secret.Read']], [['Secret.Read']], 'Not authorized to read Query.secrets: needs scope Secret.Read.')],
    });
    const { result } = await graph.run('{ secrets { id code ... on Vault { vaultCode: code } } }', grants('Secret.Read'));
    expect(result).toEqual({
      data: { secrets: [{ id: 'V1', code: null, vaultCode: null }] },
      errors: [
        denied(['secrets', 0, 'code'], 'Secret.code', [['Secret.Code', 'Secret.Read']], [['Secret.Code']], 'Not authorized to read Secret.code: needs scope Secret.Code.'),
        denied(['secrets', 0, 'vaultCode'], 'Vault.code', [['Secret.Code']], [['Secret.Code']], 'Not authorized to read Vault.code: needs scope Secret.Code.'),
      ],
    });
  });

  it('applies rules on scalars and enums to every field returning them', async () => {
    const { result } = await localGraph().run('{ budget level status }', grants());
    expect(result).toEqual({
      data: { budget: null, level: null, status: 'green' },
      errors: [
        denied(['budget'], 'Query.budget', [['Finance.Read']], [['Finance.Read']], 'Not authorized to read Query.budget: needs scope Finance.Read.'),
        denied(['level'], 'Query.level', [['HR.Read']], [['HR.Read']], 'Not authorized to read Query.level: needs scope HR.Read.'),
      ],
    });
  });

  it('never runs a denied mutation field, and runs the allowed ones', async () => {
    const graph = localGraph();
    const mutation = 'mutation { ping raiseSalary(id: "E1", amount: 5) { salary } }';
    const { result, executed } = await graph.run(mutation, grants('HR.Read'));
    expect(result).toEqual({
      data: { ping: 'pong', raiseSalary: null },
      errors: [denied(['raiseSalary'], 'Mutation.raiseSalary', [['HR.Write']], [['HR.Write']], 'Not authorized to read Mutation.raiseSalary: needs scope HR.Write.')],
    });
    expect(executed).toBe('mutation {\n  ping\n}');
    expect(graph.resolved).toEqual(['Mutation.ping']);
    const allowed = localGraph();
    expect((await allowed.run(mutation, grants('HR.Read', 'HR.Write'))).result).toEqual({ data: { ping: 'pong', raiseSalary: { salary: 105 } } });
    expect(allowed.resolved).toEqual(['Mutation.ping', 'Mutation.raiseSalary', 'Employee.salary']);
  });

  it('answers @include / @skip with variables the same way for both values', async () => {
    const query = 'query ($show: Boolean!) { me { name salary @include(if: $show) bonus @skip(if: $show) } }';
    const hidden = await localGraph().run(query, grants(), { show: false });
    expect(hidden.result).toEqual({
      data: { me: { name: 'Ada', bonus: null } },
      errors: [denied(['me', 'bonus'], 'Employee.bonus', [['HR.Read'], ['Payroll.Read']], [['HR.Read'], ['Payroll.Read']], 'Not authorized to read Employee.bonus: needs scope HR.Read; or Payroll.Read.')],
    });
    const shown = await localGraph().run(query, grants(), { show: true });
    expect(shown.result).toEqual({
      data: { me: null },
      errors: [denied(['me', 'salary'], 'Employee.salary', [['HR.Read']], [['HR.Read']], 'Not authorized to read Employee.salary: needs scope HR.Read.')],
    });
    // Either way the denied fields were never executed.
    expect(shown.executed).toBe('query ($show: Boolean!) {\n  me {\n    name\n  }\n}');
  });

  it('decides a named fragment spread in two places once per place', async () => {
    const { result } = await localGraph().run('{ me { ...E manager { ...E } } } fragment E on Employee { name bonus }', grants());
    const rule = [['HR.Read'], ['Payroll.Read']];
    const message = 'Not authorized to read Employee.bonus: needs scope HR.Read; or Payroll.Read.';
    expect(result).toEqual({
      data: { me: { name: 'Ada', bonus: null, manager: { name: 'Alan', bonus: null } } },
      errors: [denied(['me', 'bonus'], 'Employee.bonus', rule, rule, message), denied(['me', 'manager', 'bonus'], 'Employee.bonus', rule, rule, message)],
    });
  });

  it('refuses aliases the gateway reserves for itself', async () => {
    await expect(localGraph().run('{ hits { __meshgate_typename: __typename } }', grants())).rejects.toThrow(ReservedAliasError);
    await expect(localGraph().run('{ me { __meshgate_x: name } }', grants())).rejects.toThrow('alias "__meshgate_x" is reserved by the gateway');
  });

  it('refuses a fragment bomb before planning it', () => {
    const graph = localGraph();
    const levels = Array.from({ length: 12 }, (_, i) => `fragment F${i} on Employee { name ...F${i + 1} manager { ...F${i + 1} } }`).join('\n');
    const document = parse(`{ me { ...F0 } } ${levels} fragment F12 on Employee { id }`);
    expect(() => graph.planner.plan(document, undefined, grants())).toThrow(OperationTooLargeError);
  });

  it('caches plans per document and scope set, and never confuses two scope sets', () => {
    const graph = localGraph();
    const document = parse('{ me { salary } }');
    const first = graph.planner.plan(document, undefined, grants('HR.Read'));
    expect(graph.planner.plan(document, undefined, grants('HR.Read'))).toBe(first);
    expect(graph.planner.plan(document, undefined, grants())?.data?.denials.size).toBe(1);
    // A role holding a space must not share the key of two separate scopes.
    expect(grantsKey(grants('A B'))).not.toBe(grantsKey(grants('A', 'B')));
    expect(grantsKey(grants('B', 'A'))).toBe(grantsKey(grants('A', 'B')));
    expect(grantsKey(ANONYMOUS)).not.toBe(grantsKey(grants()));
  });
});

describe('splitting the meta fields from the data', () => {
  it('answers __typename of a mutation with its data, and of a query apart from it', () => {
    const graph = localGraph();
    const mutation = graph.planner.plan(parse('mutation { __typename ping }'), undefined, grants());
    expect(mutation?.operation.introspection).toBeUndefined();
    expect(mutation?.operation.rootKeys).toEqual(['__typename', 'ping']);
    const query = graph.planner.plan(parse('query Q { status __typename s: __schema { queryType { name } } }'), 'Q', grants());
    expect(query?.operation.readsSchema).toBe(true);
    expect(query?.operation.rootKeys).toEqual(['status', '__typename', 's']);
    expect(query?.data?.normalized.definitions).toHaveLength(1);
    expect(graph.planner.plan(parse('query Q { status }'), 'Other', grants())).toBeUndefined();
  });
});
