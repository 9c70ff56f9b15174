import { listenSubgraph, type ListeningSubgraph } from './listen.js';
import type { Subgraph, SubgraphOptions } from './types.js';

/** How a sample subgraph's `index.ts` starts it. */
export interface SubgraphLauncher {
  readonly name: string;
  readonly defaultPort: number;
  /** This subgraph's audiences (its client id and `api://` URI), unless AUDIENCES overrides them. */
  readonly audiences: readonly string[];
  create(options: SubgraphOptions): Subgraph;
}

export interface SubgraphEnv {
  host: string;
  port: number;
  issuer: string[];
  jwksUri: string;
  audiences: string[];
}

/**
 * Reads PORT, HOST, ISSUER (comma-separated for several, e.g. v2.0 and v1.0), JWKS_URI and
 * optionally AUDIENCES (comma-separated). Throws an error naming what is missing or wrong.
 */
export function readSubgraphEnv(launcher: Pick<SubgraphLauncher, 'name' | 'defaultPort' | 'audiences'>, env: NodeJS.ProcessEnv): SubgraphEnv {
  const missing = ['ISSUER', 'JWKS_URI'].filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    throw new Error(
      `${launcher.name} subgraph: set ${missing.join(' and ')} (the identity provider's issuer and JWKS URL); it never starts without token checks`,
    );
  }
  const port = env['PORT']?.trim() ? Number(env['PORT']) : launcher.defaultPort;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${launcher.name} subgraph: PORT must be an integer between 0 and 65535`);
  }
  return {
    host: env['HOST']?.trim() || '127.0.0.1',
    port,
    issuer: list(env['ISSUER']),
    jwksUri: (env['JWKS_URI'] ?? '').trim(),
    audiences: env['AUDIENCES']?.trim() ? list(env['AUDIENCES']) : [...launcher.audiences],
  };
}

/** Starts a subgraph from the environment, prints its URL, and stops it on SIGINT/SIGTERM. */
export async function runSubgraphFromEnv(launcher: SubgraphLauncher, env: NodeJS.ProcessEnv = process.env): Promise<ListeningSubgraph> {
  const config = readSubgraphEnv(launcher, env);
  const subgraph = launcher.create({ auth: { issuer: config.issuer, jwksUri: config.jwksUri, audiences: config.audiences } });
  const listening = await listenSubgraph(subgraph, { host: config.host, port: config.port });
  console.log(`${launcher.name} subgraph listening on ${listening.url}`);
  const stop = (): void => {
    void listening.close().finally(() => subgraph.close());
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return listening;
}

/** For `index.ts`: run, or print one line and exit non-zero. */
export function main(launcher: SubgraphLauncher): void {
  runSubgraphFromEnv(launcher).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
