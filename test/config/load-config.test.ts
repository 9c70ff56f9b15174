import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../src/config/load-config.js';
import { parseDuration } from '../../src/config/duration.js';
import { ConfigError } from '../../src/errors.js';

const base = {
  auth: { issuers: [{ issuer: 'https://login.microsoftonline.com/t/v2.0' }], audiences: ['api://meshgate'] },
  exchange: {
    tokenEndpoint: 'https://login.microsoftonline.com/t/oauth2/v2.0/token',
    clientId: 'gw',
    clientSecret: '${MESHGATE_CLIENT_SECRET}',
  },
  subgraphs: [{ name: 'orders', url: 'http://127.0.0.1:4102/graphql', audience: 'api://orders' }],
};
const env = { MESHGATE_CLIENT_SECRET: 's3cret' };

function errorOf(raw: unknown, withEnv: NodeJS.ProcessEnv = env): string {
  try {
    parseConfig(raw, withEnv);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies the documented defaults and interpolates the environment', () => {
    const config = parseConfig(base, env);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(config.graphiql).toBe(true);
    expect(config.auth.clockSkew).toBe(60_000);
    expect(config.auth.anonymous).toBe(false);
    expect(config.exchange).toEqual({
      grant: 'entra-obo',
      tokenEndpoint: base.exchange.tokenEndpoint,
      clientId: 'gw',
      clientSecret: 's3cret',
      clientAuth: 'client_secret_post',
      appCallers: 'client-credentials',
    });
    expect(config.subgraphs[0]?.token).toBe('exchange');
    expect(config.timeouts).toEqual({ exchange: 5000, subgraph: 10_000, sdl: 10_000 });
    expect(config.limits).toEqual({ maxTokenBytes: 16_384, maxBodyBytes: 1_048_576, maxDepth: 15, batch: false });
  });

  it.each([
    ['an unknown top-level key', { ...base, audiance: ['x'] }, 'config: (root): unknown key "audiance"'],
    ['an unknown nested key', { ...base, auth: { ...base.auth, skew: 5 } }, 'config: auth: unknown key "skew"'],
    ['a bad duration', { ...base, auth: { ...base.auth, clockSkew: 'soon' } }, 'config: auth.clockSkew: "soon" is not a duration'],
    ['a missing section', { subgraphs: base.subgraphs }, 'config: auth: '],
    ['a non-http url', { ...base, subgraphs: [{ name: 'orders', url: 'ftp://x/graphql', token: 'none' }] }, 'config: subgraphs[0].url: must be an http(s) URL'],
    ['an exchange subgraph without audience', { ...base, subgraphs: [{ name: 'orders', url: 'http://x/graphql' }] }, 'config: subgraphs[0].audience: is required when token is "exchange"'],
    ['a duplicate subgraph', { ...base, subgraphs: [base.subgraphs[0], base.subgraphs[0]] }, 'config: subgraphs[1].name: duplicate subgraph name "orders"'],
    ['a bad grant', { ...base, exchange: { ...base.exchange, grant: 'password' } }, 'config: exchange.grant: '],
    ['no issuers', { ...base, auth: { ...base.auth, issuers: [] } }, 'config: auth.issuers: at least one issuer is required'],
    ['a tenant template without tenants', { ...base, auth: { ...base.auth, issuers: [{ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0', jwksUri: 'https://x/keys' }] } }, 'config: auth.tenants: is required when an issuer contains {tenantid}'],
    ['exchange subgraphs without an exchange block', { auth: base.auth, subgraphs: base.subgraphs }, 'config: subgraphs[0].exchange: token "exchange" needs'],
  ])('rejects %s with one line naming the key', (_name, raw, expected) => {
    const message = errorOf(raw);
    expect(message.startsWith(expected)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('names a missing environment variable and where it is used, without a value', () => {
    expect(errorOf(base, {})).toBe('config: exchange.clientSecret: environment variable MESHGATE_CLIENT_SECRET is not set');
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-config-'));

  it('reads YAML, and JSON as YAML', () => {
    const yamlPath = join(dir, 'a.yaml');
    writeFileSync(yamlPath, 'auth:\n  issuers: [{ issuer: "https://i/v2.0" }]\n  audiences: [api://meshgate]\n  clockSkew: 5m\nsubgraphs:\n  - { name: kb, url: "http://127.0.0.1:1/graphql", token: none }\n');
    expect(loadConfigFile(yamlPath, {}).auth.clockSkew).toBe(300_000);
    const jsonPath = join(dir, 'a.json');
    writeFileSync(jsonPath, JSON.stringify({ ...base, listen: { port: 0 } }));
    expect(loadConfigFile(jsonPath, env).listen.port).toBe(0);
  });

  it('reports unreadable files and broken YAML in one line', () => {
    expect(() => loadConfigFile(join(dir, 'missing.yaml'), {})).toThrow(/cannot read config file .*missing\.yaml: ENOENT/);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'auth: [unclosed\n');
    expect(() => loadConfigFile(broken, {})).toThrow(/broken\.yaml: not valid YAML/);
  });
});

describe('parseDuration', () => {
  it.each([
    [60, 60_000], ['500ms', 500], ['60s', 60_000], ['5m', 300_000], ['1h', 3_600_000], [0.5, 500],
  ])('%s is %s ms', (input, ms) => expect(parseDuration(input)).toBe(ms));
  it.each([['5 minutes'], [-1], ['1d'], [null], ['']])('%s is not a duration', (input) => expect(parseDuration(input)).toBeUndefined());
});
