import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { DEMO_APPS, DEMO_TENANT_ID, DEMO_USERS } from '../../src/idp/demo-directory.js';
import { createAuditSink, type AuditEvent } from '../../src/observability/audit-sink.js';
import { graphql, startTestDemo, type TestDemo } from '../e2e/support.js';

let demo: TestDemo;
beforeAll(async () => {
  demo = await startTestDemo();
});
afterAll(async () => {
  await demo?.close();
});
beforeEach(() => {
  demo.audit.events.splice(0);
});

const OVERVIEW = 'query Overview($id: ID!) { customer(id: $id) { name email orders(first: 2) { number total } documents(first: 1) { title } } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const bySubgraph = (event: AuditEvent) => [...event.subgraphs].sort((a, b) => a.subgraph.localeCompare(b.subgraph));

describe('audit events', () => {
  it('records one event per operation, field by field, and never a token or a variable value', async () => {
    const token = await demo.idp.mint({ kind: 'user', user: DEMO_USERS.alan.preferredUsername, scopes: ['Customers.Read', 'Knowledge.Read'] });
    const before = Date.now();
    const { status } = await graphql(demo.graphqlUrl, OVERVIEW, { token, variables: { id: 'C-0003' }, headers: { 'x-request-id': 'audit-test-1' } });
    const after = Date.now();
    expect(status).toBe(200);
    expect(demo.audit.events).toHaveLength(1);
    const event = demo.audit.events[0]!;
    expect(Object.keys(event).sort()).toEqual(
      ['type', 'time', 'requestId', 'operationName', 'operationType', 'operationHash', 'principal', 'denied', 'subgraphs', 'outcome', 'errorCodes'].sort(),
    );
    expect(event.type).toBe('graphql.operation');
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(event.time)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(event.time)).toBeLessThanOrEqual(after);
    expect(event.requestId).toBe('audit-test-1');
    expect(event.operationName).toBe('Overview');
    expect(event.operationType).toBe('query');
    expect(event.operationHash).toBe(sha256(OVERVIEW));
    expect(event.principal).toEqual({ tenantId: DEMO_TENANT_ID, objectId: DEMO_USERS.alan.oid, clientId: DEMO_APPS.graphiql.clientId, kind: 'person' });
    expect(event.denied).toEqual([
      { coordinate: 'Customer.email', requiredScopes: [['Customers.PII.Read']], missingScopes: [['Customers.PII.Read']], paths: [['customer', 'email']] },
      { coordinate: 'Order.total', requiredScopes: [['Orders.Read']], missingScopes: [['Orders.Read']], paths: [['customer', 'orders', 'total']] },
    ]);
    expect(bySubgraph(event)).toEqual([
      { subgraph: 'customers', audience: 'api://customers', tokenSource: 'exchange', fromCache: false, calls: 1 },
      { subgraph: 'knowledge', audience: 'api://knowledge', tokenSource: 'exchange', fromCache: false, calls: 1 },
      { subgraph: 'orders', audience: 'api://orders', tokenSource: 'exchange', fromCache: false, calls: 1 },
    ]);
    expect(event.outcome).toBe('denied');
    expect(event.errorCodes).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE']);
    const text = JSON.stringify(event);
    for (const part of token.split('.')) expect(text).not.toContain(part);
    expect(text).not.toContain('C-0003');

    // The same caller again: every subgraph token now comes from the cache.
    await graphql(demo.graphqlUrl, OVERVIEW, { token, variables: { id: 'C-0003' }, headers: { 'x-request-id': 'not a safe id!' } });
    const second = demo.audit.events[1]!;
    expect(second.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(bySubgraph(second).map((s) => [s.subgraph, s.tokenSource, s.fromCache])).toEqual([
      ['customers', 'exchange', true],
      ['knowledge', 'exchange', true],
      ['orders', 'exchange', true],
    ]);
  });

  it('records an app caller, the gateway\'s own cached token, and an outcome without denials', async () => {
    await graphql(demo.graphqlUrl, '{ customers(first: 2) { id } }', { token: demo.tokens.agent });
    expect(demo.audit.events).toEqual([
      {
        type: 'graphql.operation',
        time: expect.any(String),
        requestId: expect.any(String),
        operationName: null,
        operationType: 'query',
        operationHash: sha256('{ customers(first: 2) { id } }'),
        principal: { tenantId: DEMO_TENANT_ID, objectId: expect.any(String), clientId: DEMO_APPS.agent.clientId, kind: 'app' },
        denied: [],
        // The gateway's client-credentials token for customers was fetched to read its SDL.
        subgraphs: [{ subgraph: 'customers', audience: 'api://customers', tokenSource: 'client-credentials', fromCache: true, calls: 1 }],
        outcome: 'ok',
        errorCodes: [],
      },
    ]);
  });

  it('records introspection answered by the gateway: no subgraph called', async () => {
    await graphql(demo.graphqlUrl, 'query Schema { __schema { queryType { name } } }', { token: demo.tokens.agent });
    expect(demo.audit.events.map((e) => [e.operationName, e.subgraphs, e.outcome])).toEqual([['Schema', [], 'ok']]);
  });

  it('records a request error as "error"', async () => {
    await graphql(demo.graphqlUrl, 'query ($id: ID!) { customer(id: $id) { name } }', { token: demo.tokens.agent, variables: { id: { not: 'an id' } } });
    expect(demo.audit.events.map((e) => [e.outcome, e.errorCodes, e.subgraphs])).toEqual([['error', ['BAD_REQUEST'], []]]);
  });
});

describe('audit sinks', () => {
  it('appends JSON lines to a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgate-audit-'));
    try {
      const path = join(dir, 'audit.jsonl');
      const sink = createAuditSink(path);
      const event = { type: 'graphql.operation', requestId: 'r1' } as unknown as AuditEvent;
      sink.write(event);
      sink.write({ ...event, requestId: 'r2' });
      expect(readFileSync(path, 'utf8')).toBe('{"type":"graphql.operation","requestId":"r1"}\n{"type":"graphql.operation","requestId":"r2"}\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses, when the gateway is built, a file it cannot append to', () => {
    expect(() => createAuditSink('/nonexistent-dir/audit.jsonl')).toThrow(new ConfigError('config: audit.sink: cannot append to "/nonexistent-dir/audit.jsonl" (ENOENT)'));
  });
});
