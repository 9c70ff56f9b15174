import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadConfigFile } from './config/load-config.js';
import { ConfigError, MeshgateError } from './errors.js';
import { RegistryStoreError } from './registry/registry-error.js';
import type { CommandIo } from './registry/subgraph-command.js';
import { createGateway } from './server/create-gateway.js';
import { listenGateway } from './server/listen-gateway.js';

const HELP = `meshgate: the data-mesh GraphQL gateway with Entra ID auth and field-level authorization

Usage:
  meshgate demo                       the whole demo on embedded defaults (what npm start runs)
  meshgate serve --config FILE        the gateway alone, as configured (YAML or JSON)
  meshgate token [options]            mint a token from the running dev identity provider
  meshgate subgraph ACTION --gateway URL   list | add | update | remove | check registered subgraphs
  meshgate compose --config FILE      compose the graph offline and print what fails (CI)
  meshgate --help                     (meshgate subgraph --help, meshgate compose --help)

token options:
  --scopes "A B"     delegated scopes (scp) of a person's token
  --app              an app-only token (roles instead of scopes); use --roles
  --roles "A B"      app roles
  --user NAME        ada (default) or alan
  --audience AUD     resource (default: the gateway, api://meshgate)
  --lifetime SECS    default 3600
  --idp URL          dev identity provider (default http://127.0.0.1:4100)
`;

const PROCESS_IO: CommandIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
};

/**
 * Runs the meshgate command line; returns the process exit code. `io` is where the `subgraph`
 * and `compose` commands write (default: the process's streams and environment).
 */
export async function main(argv: readonly string[], io: CommandIo = PROCESS_IO): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'demo':
      return demo();
    case 'token':
      return token(rest);
    case 'subgraph': {
      const { subgraphCommand } = await import('./registry/subgraph-command.js');
      return subgraphCommand(rest, io);
    }
    case 'compose': {
      const { composeCommand } = await import('./registry/compose-command.js');
      return composeCommand(rest, io);
    }
    default:
      process.stderr.write(`meshgate: unknown command "${command}" (see meshgate --help)\n`);
      return 2;
  }
}

async function serve(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { config: { type: 'string', short: 'c' } }, strict: true });
  if (!values.config) {
    process.stderr.write('meshgate serve: --config FILE is required\n');
    return 2;
  }
  const config = loadConfigFile(values.config);
  const gateway = createGateway(config);
  const server = await listenGateway(gateway, { ...config.listen, maxBodyBytes: config.limits.maxBodyBytes });
  gateway.logger.info({ url: server.url }, 'listening');
  onShutdown(() => server.close());
  // Keep trying to compose: subgraphs and the identity provider may start after the gateway.
  for (let delay = 1000; ; delay = Math.min(delay * 2, 30_000)) {
    try {
      await gateway.start();
      if (gateway.isReady) gateway.logger.info({ graphql: `${server.url}/graphql` }, 'ready');
      else gateway.logger.warn({ admin: `${server.url}/admin/subgraphs` }, 'started without a graph: register a subgraph through the admin API');
      return await new Promise<number>(() => undefined);
    } catch (error) {
      // A damaged registry store or a configuration that names what the graph does not have
      // (a gateway rule on an unknown field) does not heal by waiting: stop with its one line.
      if (error instanceof RegistryStoreError || isConfigError(error)) {
        await server.close();
        await gateway.close();
        throw error;
      }
      gateway.logger.error({ err: (error as Error).message, retryInMs: delay }, 'not ready');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function isConfigError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e instanceof ConfigError) return true;
  return false;
}

async function demo(): Promise<number> {
  const { startDemo } = await import('./demo/start-demo.js');
  const { createLogger } = await import('./observability/logger.js');
  const demo = await startDemo({ logger: createLogger('warn') });
  onShutdown(() => demo.close());
  const line = '-'.repeat(78);
  process.stdout.write(`
meshgate demo is running.

  GraphiQL:  ${demo.graphqlUrl}   (opens with Ada's token: a person with every demo scope)
  Identity:  ${demo.idp.url}/${demo.idp.tenantId}/v2.0/.well-known/openid-configuration
  Subgraphs: customers ${demo.subgraphs.customers.url}
             orders    ${demo.subgraphs.orders.url}
             knowledge ${demo.subgraphs.knowledge.url}

${line}
A person with every demo scope (Ada Lovelace):
Authorization: Bearer ${demo.tokens.person}

${line}
An AI agent with few app roles (Customers.Read, Knowledge.Read):
Authorization: Bearer ${demo.tokens.agent}
${line}

Try it:
  curl -s ${demo.graphqlUrl} -H 'content-type: application/json' \\
    -H "Authorization: Bearer $(npx meshgate token --app --roles 'Customers.Read Knowledge.Read')" \\
    -d '{"query":"{ customer(id: \\"C-0001\\") { name email orders { number total } } }"}'

Press Ctrl+C to stop.
`);
  return new Promise<number>(() => undefined);
}

async function token(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      scopes: { type: 'string' },
      roles: { type: 'string' },
      app: { type: 'boolean', default: false },
      user: { type: 'string' },
      audience: { type: 'string' },
      lifetime: { type: 'string' },
      idp: { type: 'string', default: process.env['MESHGATE_IDP_URL'] ?? 'http://127.0.0.1:4100' },
      tenant: { type: 'string' },
    },
  });
  const { DEMO_SCOPES, DEMO_TENANT_ID, DEMO_USERS } = await import('./idp/demo-directory.js');
  const split = (value: string | undefined) => value?.split(/[\s,]+/).filter(Boolean);
  const users = DEMO_USERS as Record<string, { preferredUsername: string }>;
  const body = {
    kind: values.app ? 'app' : 'user',
    ...(values.app ? { roles: split(values.roles) ?? [] } : { scopes: split(values.scopes) ?? [...DEMO_SCOPES], ...(values.roles ? { roles: split(values.roles) } : {}) }),
    ...(values.user ? { user: users[values.user]?.preferredUsername ?? values.user } : {}),
    ...(values.audience ? { audience: values.audience } : {}),
    ...(values.lifetime ? { lifetimeSeconds: Number(values.lifetime) } : {}),
  };
  const url = `${values.idp.replace(/\/$/, '')}/${values.tenant ?? DEMO_TENANT_ID}/_dev/token`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  } catch {
    process.stderr.write(`meshgate token: the dev identity provider at ${values.idp} does not answer; start the demo with npm start\n`);
    return 1;
  }
  const json = (await response.json().catch(() => ({}))) as { access_token?: string; error_description?: string; error?: string };
  if (!response.ok || !json.access_token) {
    process.stderr.write(`meshgate token: ${json.error_description ?? json.error ?? `HTTP ${response.status}`}\n`);
    return 1;
  }
  process.stdout.write(`${json.access_token}\n`);
  return 0;
}

function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    void close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // Known failures are one line (config errors name the key); others too: no stack, no secrets.
      const message = error instanceof MeshgateError ? error.message : `meshgate: ${(error as Error).message}`;
      process.stderr.write(`${message}\n`);
      process.exit(1);
    },
  );
}
