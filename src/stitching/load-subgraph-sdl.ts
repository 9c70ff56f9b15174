import { parse, type DocumentNode } from 'graphql';
import { CompositionError } from '../errors.js';
import type { SubgraphTokenPolicy } from '../exchange/exchange-settings.js';
import type { TokenExchanger } from '../exchange/token-exchanger.js';
import { readBoundedText } from '../util/read-bounded.js';

/** A subgraph's SDL as fetched, parsed. */
export interface SubgraphSdl {
  readonly sdl: string;
  readonly document: DocumentNode;
}

const MAX_SDL_BYTES = 2 * 1024 * 1024;

/**
 * Reads a subgraph's SDL with `{ _sdl }`, authenticated with the gateway's own
 * client-credentials token for the subgraph's audience (no caller is involved).
 * Throws `CompositionError` naming the subgraph and what went wrong.
 */
export async function loadSubgraphSdl(
  url: string,
  policy: SubgraphTokenPolicy,
  exchanger: TokenExchanger,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<SubgraphSdl> {
  const name = policy.subgraph;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  // `forward` subgraphs accept callers' tokens; with no audience of their own to ask for, the
  // gateway has no token of theirs and reads `_sdl` without one (it must then be open).
  const canAuthenticate = policy.mode === 'exchange' || (policy.mode === 'forward' && policy.audience !== undefined && policy.exchange !== undefined);
  if (canAuthenticate) {
    try {
      const { token } = await exchanger.clientCredentials(policy);
      headers['authorization'] = `Bearer ${token}`;
    } catch (error) {
      throw new CompositionError(`subgraph "${name}": cannot get a token to read its SDL: ${(error as Error).message}`, { cause: error });
    }
  }
  let text: string;
  let status: number;
  try {
    const response = await (options.fetch ?? globalThis.fetch)(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: '{ _sdl }' }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    status = response.status;
    text = await readBoundedText(response, MAX_SDL_BYTES);
  } catch (error) {
    throw new CompositionError(`subgraph "${name}": ${url} did not answer (${(error as Error).name === 'TimeoutError' ? 'timeout' : (error as Error).message})`, { cause: error });
  }
  let sdl: unknown;
  try {
    sdl = (JSON.parse(text) as { data?: { _sdl?: unknown } }).data?._sdl;
  } catch {
    sdl = undefined;
  }
  if (typeof sdl !== 'string' || sdl.trim() === '') {
    throw new CompositionError(`subgraph "${name}": ${url} answered ${status} without an SDL for { _sdl }`);
  }
  return { sdl, document: parseSdl(name, sdl) };
}

/** Parses SDL text, naming the subgraph and the position in a syntax error. */
export function parseSdl(name: string, sdl: string): DocumentNode {
  try {
    return parse(sdl, { noLocation: false });
  } catch (error) {
    throw new CompositionError(`subgraph "${name}": SDL does not parse: ${(error as Error).message}`, { cause: error });
  }
}
