import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { demoConfig } from '../../src/demo/demo-config.js';
import { graphql, startTestDemo, type TestDemo } from './support.js';

// These run the built command (`bin/meshgate.js` → dist/), exactly what `npx meshgate` runs;
// `npm test` builds first.
const BIN = join(process.cwd(), 'bin', 'meshgate.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function meshgate(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let demo: TestDemo;
let dir: string;
beforeAll(async () => {
  demo = await startTestDemo();
  dir = mkdtempSync(join(tmpdir(), 'meshgate-cli-'));
});
afterAll(async () => {
  await demo?.close();
});

function configFor(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const config = demoConfig({
    issuer: demo.idp.issuer,
    tokenEndpoint: demo.idp.tokenEndpoint,
    subgraphs: { customers: demo.subgraphs.customers.url, orders: demo.subgraphs.orders.url, knowledge: demo.subgraphs.knowledge.url },
    listen: { host: '127.0.0.1', port: 0 },
  }) as Record<string, unknown>;
  return { ...config, ...extra };
}

describe('meshgate serve --config', () => {
  it('refuses a bad configuration with one line naming the key, and a non-zero exit', async () => {
    const path = join(dir, 'typo.yaml');
    writeFileSync(path, stringify(configFor({ audiance: ['api://meshgate'] })));
    const run = await meshgate(['serve', '--config', path]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toBe('config: (root): unknown key "audiance"\n');
  });

  it('names a missing environment variable without printing any value', async () => {
    const config = configFor();
    const path = join(dir, 'env.yaml');
    writeFileSync(path, stringify({ ...config, exchange: { ...(config['exchange'] as object), clientSecret: '${MESHGATE_TEST_SECRET}' } }));
    const run = await meshgate(['serve', '--config', path], { MESHGATE_TEST_SECRET: undefined });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toBe('config: exchange.clientSecret: environment variable MESHGATE_TEST_SECRET is not set\n');
  });

  it('serves the configured graph: a token minted with `meshgate token` gets data through it', async () => {
    const config = configFor();
    const path = join(dir, 'good.yaml');
    writeFileSync(path, stringify({ ...config, exchange: { ...(config['exchange'] as object), clientSecret: '${MESHGATE_TEST_SECRET}' }, log: { level: 'info' } }));
    const child = spawn(process.execPath, [BIN, 'serve', '--config', path], { env: { ...process.env, MESHGATE_TEST_SECRET: 'dev-gateway-secret' } });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          output += d.toString();
          for (const line of output.split('\n')) {
            if (line.includes('"ready"')) resolve((JSON.parse(line) as { graphql: string }).graphql);
          }
        });
        child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
      });
      expect(output).not.toContain('dev-gateway-secret');
      const token = await meshgate(['token', '--app', '--roles', 'Customers.Read', '--idp', demo.idp.url]);
      expect(token.code).toBe(0);
      const { status, body } = await graphql(url, '{ customer(id: "C-0003") { id phone } }', { token: token.stdout.trim() });
      expect(status).toBe(200);
      expect(body.data).toEqual({ customer: { id: 'C-0003', phone: null } });
      expect(body.errors?.map((e) => [e.path, e.extensions?.['code'], e.extensions?.['missingScopes']])).toEqual([
        [['customer', 'phone'], 'UNAUTHORIZED_FIELD_OR_TYPE', [['Customers.PII.Read']]],
      ]);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
