import { buildASTSchema, execute, getNamedType, isCompositeType, isInterfaceType, isObjectType, parse, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AccessPolicy } from '../../src/authz/access-policy.js';
import { AuthorizationRules } from '../../src/authz/authorization-rules.js';
import { authorizeGraph } from '../../src/authz/authorized-graph.js';
import { filterSchemaFor } from '../../src/authz/filter-schema.js';
import { ANONYMOUS, grants, localGraph } from './local-schema.js';

const ALL_SCOPES = ['HR.Read', 'HR.Write', 'Payroll.Read', 'Memo.Read', 'Post.Body', 'Secret.Read', 'Secret.Code', 'Finance.Read'];

describe('the schema a caller may see', () => {
  it('shows an authenticated caller without scopes only what it may query', () => {
    const { policy } = localGraph();
    expect(printSchema(filterSchemaFor(policy, grants()))).toBe(
      [
        'type Query {\n  me: Employee\n  employees: [Employee!]!\n  hits: [Hit!]\n  status: String\n}',
        'type Mutation {\n  ping: String\n}',
        'type Employee {\n  id: ID!\n  name: String!\n  manager: Employee\n}',
        'type Post {\n  id: ID!\n  title: String!\n}',
        'union Hit = Employee | Post',
      ].join('\n\n'),
    );
  });

  it('shows an anonymous caller even less: no @authenticated type, nothing that needs a scope', () => {
    const { policy } = localGraph();
    expect(printSchema(filterSchemaFor(policy, ANONYMOUS))).toBe(
      ['type Query {\n  hits: [Hit!]\n  status: String\n}', 'type Mutation {\n  ping: String\n}', 'type Post {\n  id: ID!\n  title: String!\n}', 'union Hit = Post'].join('\n\n'),
    );
  });

  it('shows a caller with every scope the whole graph, without the gateway\'s directives', () => {
    const { policy, schema } = localGraph();
    const full = printSchema(filterSchemaFor(policy, grants(...ALL_SCOPES)));
    expect(full).toBe(printSchema(schema).replace(/directive @\w+[^\n]*\n\n/g, ''));
    expect(full).not.toContain('@requiresScopes');
  });

  it('keeps an interface only with the fields every shown implementation still has', () => {
    const { policy } = localGraph();
    // Memo.Read opens Memo and the interface's id/title; Note.body still needs Post.Body.
    const schema = filterSchemaFor(policy, grants('Memo.Read'));
    expect(printSchema(schema)).toContain('interface Note {\n  id: ID!\n  title: String!\n}');
    expect(printSchema(schema)).toContain('type Memo implements Note {\n  id: ID!\n  title: String!\n  body: String\n}');
    expect(printSchema(schema)).toContain('type Post implements Note {\n  id: ID!\n  title: String!\n}');
  });

  it('answers __type of a hidden type with null, and introspects a graph where nothing is readable', async () => {
    const { policy } = localGraph();
    const filtered = filterSchemaFor(policy, grants());
    expect(await execute({ schema: filtered, document: parse('{ memo: __type(name: "Memo") { name } post: __type(name: "Post") { fields { name } } }') })).toEqual({
      data: { memo: null, post: { fields: [{ name: 'id' }, { name: 'title' }] } },
    });
    const sdl = 'directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\ntype Query { secret: String @authenticated }';
    const rules = new AuthorizationRules();
    rules.addFromSdl('closed', parse(sdl));
    const closed = filterSchemaFor(new AccessPolicy(buildASTSchema(parse(sdl)), rules), ANONYMOUS);
    expect(await execute({ schema: closed, document: parse('{ __typename __schema { queryType { name fields { name } } mutationType { name } } }') })).toEqual({
      data: { __typename: 'Query', __schema: { queryType: { name: 'Query', fields: [] }, mutationType: null } },
    });
  });

  it('caches one filtered schema per distinct scope set, in any order of scopes, bounded', () => {
    const { schema, rules } = localGraph();
    const graph = authorizeGraph({ schema, shadowSchema: schema, rules }, { visibleSchemas: 2 });
    const first = graph.visibleSchema(grants('HR.Read', 'Memo.Read'));
    expect(graph.visibleSchema(grants('Memo.Read', 'HR.Read'))).toBe(first);
    expect(graph.visibleSchema(grants('HR.Read'))).not.toBe(first);
    graph.visibleSchema(ANONYMOUS);
    graph.visibleSchema(grants());
    // The least recently used one was dropped; asking again builds an equal schema.
    const again = graph.visibleSchema(grants('HR.Read', 'Memo.Read'));
    expect(again).not.toBe(first);
    expect(printSchema(again)).toBe(printSchema(first));
  });

  it('is derived from the same policy the planner uses (a root field shown is a root field allowed)', () => {
    const graph = localGraph();
    for (const caller of [ANONYMOUS, grants(), grants('Memo.Read'), grants('Post.Body', 'HR.Read'), grants(...ALL_SCOPES)]) {
      const visible = filterSchemaFor(graph.policy, caller);
      const shown = Object.values(visible.getQueryType()?.getFields() ?? {});
      for (const field of shown) {
        const selection = isCompositeType(getNamedType(field.type)) ? `${field.name} { __typename }` : field.name;
        const plan = graph.planner.plan(parse(`{ ${selection} }`), undefined, caller);
        expect(plan?.data?.denials.size, `${field.name} shown to ${[...caller.scopes].join(',') || 'nobody'}`).toBe(0);
      }
      // A hidden field is denied, or so is everything that can be selected below it.
      const hidden = Object.values(graph.schema.getQueryType()?.getFields() ?? {}).filter((f) => !shown.some((s) => s.name === f.name));
      for (const field of hidden) {
        const type = getNamedType(field.type);
        const below = isObjectType(type) || isInterfaceType(type) ? ` { ${Object.keys(type.getFields())[0]} }` : '';
        const plan = graph.planner.plan(parse(`{ ${field.name}${below} }`), undefined, caller);
        expect(plan?.data?.denials.size, `${field.name} hidden from ${[...caller.scopes].join(',') || 'nobody'}`).toBe(1);
      }
    }
  });
});
