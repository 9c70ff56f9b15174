import { parseArgs } from 'node:util';
import { AdminClient, type AdminBody, type AdminChange, type AdminResponse } from './admin-client.js';

/** Where a command writes, and its environment (injectable for tests and embedding). */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly fetch?: typeof fetch;
}

export const SUBGRAPH_HELP = `meshgate subgraph: register and evolve data-product subgraphs on a running gateway

Usage:
  meshgate subgraph list   --gateway URL
  meshgate subgraph add    --gateway URL --name NAME --url URL --audience AUD [--owner ID] [--force]
  meshgate subgraph update --gateway URL --name NAME [--url URL] [--audience AUD] [--owner ID] [--force]
  meshgate subgraph remove --gateway URL --name NAME --force
  meshgate subgraph check  --gateway URL --name NAME --url URL --audience AUD [--force]

Options:
  --gateway URL       the gateway (e.g. http://127.0.0.1:4000); env MESHGATE_GATEWAY
  --token T           an Entra access token for the gateway with the admin app role, or of the
                      subgraph's owner (its app, or a group it is in); env MESHGATE_TOKEN
  --name NAME         lowercase letters, digits and "-"
  --url URL           the subgraph's GraphQL endpoint (it must answer { _sdl })
  --audience AUD      the subgraph's own audience (api://... or its client id)
  --scope S           scope to ask for instead of <audience>/.default
  --token-mode M      exchange (default) | none | forward (admins only)
  --owner ID          app client id or group object id that may change this subgraph
  --force             accept breaking changes and weakened access rules (still reported)
  --json              print the gateway's JSON answer

check runs every validation a registration would (SDL, directives, composition, breaking
changes, access rules) and changes nothing: run it in CI before you deploy.
Exit status: 0 done (or would be accepted), 1 refused or failed, 2 wrong usage.
`;

const OPTIONS = {
  gateway: { type: 'string' },
  token: { type: 'string' },
  name: { type: 'string' },
  url: { type: 'string' },
  audience: { type: 'string' },
  scope: { type: 'string' },
  'token-mode': { type: 'string' },
  owner: { type: 'string' },
  force: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>>['values'];

/** `meshgate subgraph ...`; returns the exit code. */
export async function subgraphCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const [action, ...rest] = args;
  if (!action || action === '--help' || action === '-h' || action === 'help') {
    io.stdout(SUBGRAPH_HELP);
    return action ? 0 : 2;
  }
  let values: Values;
  try {
    values = parseArgs({ args: [...rest], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  if (values.help) {
    io.stdout(SUBGRAPH_HELP);
    return 0;
  }
  const gateway = values.gateway ?? io.env['MESHGATE_GATEWAY'];
  const token = (values.token ?? io.env['MESHGATE_TOKEN'])?.trim();
  if (!gateway) return usage(io, '--gateway URL is required (or MESHGATE_GATEWAY)');
  if (!token) return usage(io, 'a token is required: --token T or MESHGATE_TOKEN (an Entra access token for the gateway)');
  let client: AdminClient;
  try {
    client = new AdminClient({ gateway, token, ...(io.fetch ? { fetch: io.fetch } : {}) });
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  const force = values.force ? '?force=true' : '';
  try {
    switch (action) {
      case 'list':
        return report(io, values, 'list', await client.request('GET', '/admin/subgraphs'));
      case 'add':
      case 'check': {
        const name = requireOption(values.name, '--name');
        const body = { name, url: requireOption(values.url, '--url'), ...registrationFlags(values) };
        const answer = action === 'add'
          ? await client.request('PUT', `/admin/subgraphs/${encodeURIComponent(name)}${force}`, body, { 'if-none-match': '*' })
          : await client.request('POST', `/admin/check${force}`, body);
        return report(io, values, action, answer);
      }
      case 'update': {
        const name = requireOption(values.name, '--name');
        const current = await client.request('GET', `/admin/subgraphs/${encodeURIComponent(name)}`);
        if (current.status !== 200) return report(io, values, action, current);
        const existing = (current.body['subgraph'] ?? {}) as Record<string, unknown>;
        const body = {
          ...pick(existing, ['url', 'audience', 'token', 'scope', 'exchange', 'owner']),
          ...(values.url ? { url: values.url } : {}),
          ...registrationFlags(values),
        };
        return report(io, values, action, await client.request('PUT', `/admin/subgraphs/${encodeURIComponent(name)}${force}`, body, { 'if-match': '*' }));
      }
      case 'remove': {
        const name = requireOption(values.name, '--name');
        return report(io, values, action, await client.request('DELETE', `/admin/subgraphs/${encodeURIComponent(name)}${force}`));
      }
      default:
        return usage(io, `unknown action "${action}": list, add, update, remove or check`);
    }
  } catch (error) {
    if (error instanceof UsageError) return usage(io, error.message);
    io.stderr(`meshgate subgraph ${action}: ${(error as Error).message}\n`);
    return 1;
  }
}

class UsageError extends Error {}

function requireOption(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`${name} is required`);
  return value;
}

function registrationFlags(values: Values): Record<string, string> {
  return {
    ...(values.audience ? { audience: values.audience } : {}),
    ...(values.scope ? { scope: values.scope } : {}),
    ...(values['token-mode'] ? { token: values['token-mode'] } : {}),
    ...(values.owner ? { owner: values.owner } : {}),
  };
}

function pick(from: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
}

function usage(io: CommandIo, message: string): number {
  io.stderr(`meshgate subgraph: ${message} (see meshgate subgraph --help)\n`);
  return 2;
}

function report(io: CommandIo, values: Values, action: string, answer: AdminResponse): number {
  const { status, body } = answer;
  if (values.json) {
    (status === 200 ? io.stdout : io.stderr)(`${JSON.stringify(body, null, 2)}\n`);
    return status === 200 ? 0 : 1;
  }
  if (status !== 200 || body.error) {
    io.stderr(refusal(action, status, body));
    return 1;
  }
  io.stdout(action === 'list' ? listing(body) : outcome(action, values.name ?? '', body));
  return 0;
}

function refusal(action: string, status: number, body: AdminBody): string {
  const error = body.error ?? { code: `HTTP_${status}`, message: `the gateway answered ${status}` };
  const lines = [`meshgate subgraph ${action}: ${status === 422 ? 'refused' : error.code} (HTTP ${status}): ${error.message}`];
  const reasons = (error.reasons ?? []).filter((r) => r !== error.message);
  for (const reason of reasons) lines.push(`  - ${reason}`);
  if (error.changes?.length) lines.push('changes:', ...error.changes.map(changeLine));
  return `${lines.join('\n')}\n`;
}

function outcome(action: string, name: string, body: AdminBody): string {
  const graph = body['graph'] as { subgraphs: string[]; types: number; rootFields: number; rules: number };
  const changes = (body['changes'] ?? []) as AdminChange[];
  const verb = { add: 'registered', update: 'updated', remove: 'removed', check: 'would be accepted' }[action] ?? action;
  const lines = [
    `${name} ${verb}${action === 'check' ? '' : ` (registry version ${String(body['version'])})`}${body['forced'] ? ', forced past breaking changes' : ''}`.trim(),
    `graph: ${graph.subgraphs.length} subgraphs (${graph.subgraphs.join(', ')}), ${graph.types} types, ${graph.rootFields} root fields, ${graph.rules} access rules`,
  ];
  if (changes.length) lines.push('changes:', ...changes.map(changeLine));
  else lines.push('changes: none');
  return `${lines.join('\n')}\n`;
}

function changeLine(change: AdminChange): string {
  return `  ${change.kind.padEnd(13)} ${change.type}${change.coordinate ? ` ${change.coordinate}` : ''}: ${change.message}`;
}

function listing(body: AdminBody): string {
  const subgraphs = (body['subgraphs'] ?? []) as { name: string; origin: string; serving: boolean; url: string; owner?: string; problem?: { kind: string; reason: string } }[];
  const lines = [`registry version ${String(body['version'])}`];
  for (const s of subgraphs) {
    lines.push(`${s.name.padEnd(20)} ${s.origin.padEnd(8)} ${(s.serving ? 'serving' : 'not serving').padEnd(11)} ${s.url}${s.owner ? `  owner ${s.owner}` : ''}`);
    if (s.problem) lines.push(`  ! ${s.problem.kind}: ${s.problem.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
