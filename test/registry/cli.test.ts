import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli.js';
import { demoConfig } from '../../src/demo/demo-config.js';
import { graphql } from '../e2e/support.js';
import { INVENTORY_APP, INVENTORY_BREAKING, INVENTORY_NOT_COMPOSING, INVENTORY_TEAM_APP, INVENTORY_V1, INVENTORY_V2, startInventorySubgraph, type InventorySubgraph } from './inventory-subgraph.js';
import { INVENTORY_DATA, INVENTORY_QUERY, startTestbed, type RunningGateway, type Testbed } from './support.js';

let testbed: Testbed;
let gw: RunningGateway;
let next: InventorySubgraph;
let dir: string;
beforeAll(async () => {
  testbed = await startTestbed();
  gw = await testbed.startGateway();
  next = await startInventorySubgraph({ issuer: testbed.idp.issuer, jwksUri: testbed.idp.jwksUri }, INVENTORY_V2);
  dir = mkdtempSync(join(tmpdir(), 'meshgate-cli-registry-'));
});
afterAll(async () => {
  await next?.close();
  await testbed?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `meshgate ...` in this process, with its own output and environment. */
async function meshgate(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), env });
  return { code, stdout, stderr };
}

const gatewayFlags = () => ['--gateway', gw.url];

describe('meshgate subgraph', () => {
  it('add: registers a subgraph, prints the composed result and the changes', async () => {
    const run = await meshgate(
      ['subgraph', 'add', ...gatewayFlags(), '--name', 'inventory', '--url', testbed.inventory.url, '--audience', INVENTORY_APP.appIdUri, '--owner', INVENTORY_TEAM_APP.clientId],
      { MESHGATE_TOKEN: testbed.tokens.admin },
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('inventory registered (registry version 1)');
    expect(lines[1]).toMatch(/^graph: 4 subgraphs \(customers, orders, knowledge, inventory\), \d+ types, \d+ root fields, \d+ access rules$/);
    expect(lines[2]).toBe('changes:');
    expect(run.stdout).toContain("  safe          FIELD_ADDED Query.products: Field 'products' was added to object type 'Query'\n");
    expect(run.stdout).not.toContain(testbed.tokens.admin);
    const { body } = await graphql(gw.graphqlUrl, INVENTORY_QUERY, { token: testbed.tokens.reader });
    expect(body).toEqual({ data: INVENTORY_DATA });
  });

  it('add again: refused (already registered), exit 1', async () => {
    const run = await meshgate(['subgraph', 'add', ...gatewayFlags(), '--token', testbed.tokens.admin, '--name', 'inventory', '--url', testbed.inventory.url, '--audience', INVENTORY_APP.appIdUri]);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'meshgate subgraph add: PRECONDITION_FAILED (HTTP 412): subgraph "inventory" is already registered (If-None-Match: *); use update\n',
    });
  });

  it('list: what the caller may see', async () => {
    const run = await meshgate(['subgraph', 'list', ...gatewayFlags(), '--token', testbed.tokens.owner]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`registry version 1\n${'inventory'.padEnd(20)} registry serving     ${testbed.inventory.url}  owner ${INVENTORY_TEAM_APP.clientId}\n`);
  });

  it('check: what CI runs before deploying; a breaking change is refused with the list, exit 1', async () => {
    const breaking = await startInventorySubgraph({ issuer: testbed.idp.issuer, jwksUri: testbed.idp.jwksUri }, INVENTORY_BREAKING);
    try {
      const run = await meshgate(['subgraph', 'check', ...gatewayFlags(), '--name', 'inventory', '--url', breaking.url, '--audience', INVENTORY_APP.appIdUri], { MESHGATE_TOKEN: testbed.tokens.owner });
      expect(run).toEqual({
        code: 1,
        stdout: '',
        stderr: [
          'meshgate subgraph check: refused (HTTP 422): 1 breaking change(s) or weakened access rule(s); fix them, or send again with ?force=true to accept them',
          "  - Field 'name' was removed from object type 'Product'",
          'changes:',
          "  breaking      FIELD_REMOVED Product.name: Field 'name' was removed from object type 'Product'",
          "  safe          FIELD_ADDED Product.warehouse: Field 'warehouse' was added to object type 'Product'",
          "  safe          FIELD_DESCRIPTION_ADDED Product.warehouse: Field 'Product.warehouse' has description 'Where the stock is kept.'",
          '',
        ].join('\n'),
      });
      const good = await meshgate(['subgraph', 'check', ...gatewayFlags(), '--name', 'inventory', '--url', next.url, '--audience', INVENTORY_APP.appIdUri], { MESHGATE_TOKEN: testbed.tokens.owner });
      expect(good.code).toBe(0);
      expect(good.stdout.split('\n')[0]).toBe('inventory would be accepted');
      // A check changes nothing.
      expect((await meshgate(['subgraph', 'list', ...gatewayFlags(), '--token', testbed.tokens.owner])).stdout).toContain(testbed.inventory.url);
    } finally {
      await breaking.close();
    }
  });

  it('update: changes only what is given, keeps the rest (owner, audience)', async () => {
    const run = await meshgate(['subgraph', 'update', ...gatewayFlags(), '--name', 'inventory', '--url', next.url, '--json'], { MESHGATE_TOKEN: testbed.tokens.owner });
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout) as { version: number; subgraph: Record<string, unknown> };
    expect(answer).toMatchObject({ version: 2, subgraph: { name: 'inventory', url: next.url, audience: INVENTORY_APP.appIdUri, owner: INVENTORY_TEAM_APP.clientId } });
  });

  it('remove: refused without --force (callers lose fields), done with it', async () => {
    const refused = await meshgate(['subgraph', 'remove', ...gatewayFlags(), '--name', 'inventory'], { MESHGATE_TOKEN: testbed.tokens.owner });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^meshgate subgraph remove: refused \(HTTP 422\): \d+ breaking change\(s\)/);
    expect(refused.stderr).toContain("  breaking      FIELD_REMOVED Query.products: Field 'products' was removed from object type 'Query'");
    const removed = await meshgate(['subgraph', 'remove', ...gatewayFlags(), '--name', 'inventory', '--force'], { MESHGATE_TOKEN: testbed.tokens.owner });
    expect(removed.code).toBe(0);
    expect(removed.stdout.split('\n')[0]).toBe('inventory removed (registry version 3), forced past breaking changes');
  });

  it('wrong usage: exit 2 with the reason; an unreachable gateway: exit 1', async () => {
    expect(await meshgate(['subgraph', 'list', ...gatewayFlags()])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'meshgate subgraph: a token is required: --token T or MESHGATE_TOKEN (an Entra access token for the gateway) (see meshgate subgraph --help)\n',
    });
    expect((await meshgate(['subgraph', 'add', ...gatewayFlags(), '--token', testbed.tokens.admin, '--url', 'http://x'])).stderr).toBe(
      'meshgate subgraph: --name is required (see meshgate subgraph --help)\n',
    );
    expect((await meshgate(['subgraph', 'list', '--gatway', gw.url])).code).toBe(2);
    expect(await meshgate(['subgraph', 'list', '--gateway', 'http://127.0.0.1:1', '--token', testbed.tokens.admin])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'meshgate subgraph list: the gateway at http://127.0.0.1:1 does not answer\n',
    });
  });
});

describe('meshgate compose --config', () => {
  function writeConfig(name: string, subgraphs?: Record<'customers' | 'orders' | 'knowledge', string>): string {
    const path = join(dir, name);
    const config = demoConfig({ issuer: testbed.idp.issuer, tokenEndpoint: testbed.idp.tokenEndpoint, subgraphs: subgraphs ?? testbed.urls, listen: { host: '127.0.0.1', port: 0 } });
    writeFileSync(path, stringify(config));
    return path;
  }
  function writeSdl(name: string, sdl: string): string {
    const path = join(dir, name);
    writeFileSync(path, sdl);
    return path;
  }

  it('composes the configured subgraphs (their SDL fetched with the gateway\'s token)', async () => {
    const run = await meshgate(['compose', '--config', writeConfig('gateway.yaml')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^composed 3 subgraphs \(customers, orders, knowledge\): \d+ types, \d+ root fields, \d+ access rules\n$/);
  });

  it('composes a new subgraph from a file, as a team\'s CI does before deploying', async () => {
    const run = await meshgate(['compose', '--config', writeConfig('gateway.yaml'), '--sdl', `inventory=${writeSdl('inventory.graphql', INVENTORY_V1)}`, '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ok: true, graph: { subgraphs: ['customers', 'orders', 'knowledge', 'inventory'], types: expect.any(Number), rootFields: expect.any(Number), rules: expect.any(Number) } });
  });

  it('prints what fails and exits 1: a schema that does not compose, a subgraph that does not answer', async () => {
    const broken = await meshgate(['compose', '--config', writeConfig('gateway.yaml'), '--sdl', `inventory=${writeSdl('broken.graphql', INVENTORY_NOT_COMPOSING)}`]);
    expect(broken).toEqual({ code: 1, stdout: '', stderr: 'meshgate compose: subgraphs do not compose: Cannot merge different type categories into common type Customer.\n' });
    const syntax = await meshgate(['compose', '--config', writeConfig('gateway.yaml'), '--sdl', `inventory=${writeSdl('syntax.graphql', 'type Query {')}`]);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/^meshgate compose: subgraph "inventory": SDL does not parse: Syntax Error/);
    const down = await meshgate(['compose', '--config', writeConfig('down.yaml', { ...testbed.urls, orders: 'http://127.0.0.1:1/graphql' })]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^meshgate compose: subgraph "orders": http:\/\/127\.0\.0\.1:1\/graphql did not answer \(.+\)\n$/);
  });

  it('wrong usage: exit 2', async () => {
    expect(await meshgate(['compose'])).toEqual({ code: 2, stdout: '', stderr: 'meshgate compose: --config FILE is required (see meshgate compose --help)\n' });
    expect((await meshgate(['compose', '--config', 'x.yaml', '--sdl', 'no-equals'])).stderr).toBe('meshgate compose: --sdl "no-equals": expected NAME=PATH with a subgraph name\n');
  });
});
