import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Executor } from '@graphql-tools/utils';
import { authorizeGraph } from '../authz/authorized-graph.js';
import { loadConfigFile } from '../config/load-config.js';
import { subgraphTokenPolicy } from '../exchange/exchange-settings.js';
import { TokenExchanger } from '../exchange/token-exchanger.js';
import { composeGraph, type SubgraphInput } from '../stitching/compose-graph.js';
import { loadSubgraphSdl, parseSdl, type SubgraphSdl } from '../stitching/load-subgraph-sdl.js';
import { SUBGRAPH_NAME } from './registration.js';
import type { CommandIo } from './subgraph-command.js';
import { graphSummary } from './subgraph-view.js';

export const COMPOSE_HELP = `meshgate compose: compose the graph offline and print what fails

Usage:
  meshgate compose --config FILE [--sdl NAME=PATH]... [--json]

Reads the gateway config, fetches each configured subgraph's SDL ({ _sdl }, with the gateway's
client-credentials token) unless --sdl gives it from a file, and composes the graph exactly as
the gateway would: stitching, authorization directives, gateway rules. --sdl with a name that
is not in the config adds that subgraph: what a data-product team runs in CI against the
schema it is about to deploy. Exit status: 0 composes, 1 does not, 2 wrong usage.
`;

/** Never called: the offline graph is composed, not executed. */
const OFFLINE: Executor = () => ({ errors: [{ message: 'offline composition' }] }) as never;

/** `meshgate compose --config FILE [--sdl name=path]...`; returns the exit code. */
export async function composeCommand(args: readonly string[], io: CommandIo): Promise<number> {
  let values: { config?: string; sdl?: string[]; json?: boolean; help?: boolean };
  try {
    values = parseArgs({
      args: [...args],
      strict: true,
      options: { config: { type: 'string', short: 'c' }, sdl: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (error) {
    io.stderr(`meshgate compose: ${(error as Error).message} (see meshgate compose --help)\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(COMPOSE_HELP);
    return 0;
  }
  if (!values.config) {
    io.stderr('meshgate compose: --config FILE is required (see meshgate compose --help)\n');
    return 2;
  }
  const files = new Map<string, string>();
  for (const entry of values.sdl ?? []) {
    const [name, path] = [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)];
    if (!entry.includes('=') || !SUBGRAPH_NAME.test(name) || !path) {
      io.stderr(`meshgate compose: --sdl "${entry}": expected NAME=PATH with a subgraph name\n`);
      return 2;
    }
    files.set(name, path);
  }
  const config = loadConfigFile(values.config, io.env);
  const exchanger = new TokenExchanger({ timeoutMs: config.timeouts.exchange, ...(io.fetch ? { fetch: io.fetch } : {}) });
  const names = [...new Set([...config.subgraphs.map((s) => s.name), ...files.keys()])];
  const failures: string[] = [];
  const inputs: SubgraphInput[] = [];
  await Promise.all(
    names.map(async (name, index) => {
      try {
        const sdl = await sdlOf(name);
        inputs[index] = { name, sdl, executor: OFFLINE };
      } catch (error) {
        failures[index] = (error as Error).message;
      }
    }),
  );
  if (names.length === 0) failures.push('no subgraphs: the config has none; give some with --sdl NAME=PATH');
  let summary;
  if (failures.filter(Boolean).length === 0) {
    try {
      const graph = composeGraph(inputs);
      authorizeGraph(graph, { rules: config.authorization.rules });
      summary = graphSummary(graph);
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  const errors = failures.filter(Boolean);
  if (values.json) {
    (summary ? io.stdout : io.stderr)(`${JSON.stringify(summary ? { ok: true, graph: summary } : { ok: false, errors }, null, 2)}\n`);
  } else if (summary) {
    io.stdout(`composed ${summary.subgraphs.length} subgraphs (${summary.subgraphs.join(', ')}): ${summary.types} types, ${summary.rootFields} root fields, ${summary.rules} access rules\n`);
  } else {
    io.stderr(errors.map((e) => `meshgate compose: ${e}\n`).join(''));
  }
  return summary ? 0 : 1;

  async function sdlOf(name: string): Promise<SubgraphSdl> {
    const path = files.get(name);
    if (path !== undefined) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        throw new Error(`subgraph "${name}": cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      return { sdl: text, document: parseSdl(name, text) };
    }
    const subgraph = config.subgraphs.find((s) => s.name === name)!;
    return loadSubgraphSdl(subgraph.url, subgraphTokenPolicy(subgraph, config.exchange), exchanger, {
      timeoutMs: config.timeouts.sdl,
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
  }
}
