// Shared set-up of the subgraph tests: the real dev identity provider, real subgraphs on
// loopback, and a small GraphQL-over-HTTP client.
import type { Plugin } from 'graphql-yoga';
import { startDevIdentityProvider, type DevIdentityProvider, type MintOptions } from '../../src/idp/index.js';
import { DEMO_APPS } from '../../src/idp/demo-directory.js';
import { createCustomersSubgraph } from '../../subgraphs/customers/server.js';
import { createKnowledgeSubgraph } from '../../subgraphs/knowledge/server.js';
import { createOrdersSubgraph } from '../../subgraphs/orders/server.js';
import { listenSubgraph } from '../../subgraphs/shared/listen.js';
import type { Caller } from '../../subgraphs/shared/require-audience.js';
import type { Subgraph, SubgraphOptions } from '../../subgraphs/shared/types.js';

export type SubgraphName = 'customers' | 'orders' | 'knowledge';

export const CREATE: Record<SubgraphName, (options: SubgraphOptions) => Subgraph> = {
  customers: createCustomersSubgraph,
  orders: createOrdersSubgraph,
  knowledge: createKnowledgeSubgraph,
};

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  text: string;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

export interface RunningSubgraph {
  readonly name: SubgraphName;
  readonly subgraph: Subgraph;
  readonly url: string;
  /** Callers seen by executed operations, in order (recorded by a test plugin). */
  readonly callers: (Caller | undefined)[];
  /** A token for this subgraph's own audience. */
  token(options?: MintOptions): Promise<string>;
  /** POSTs an operation with a token for this subgraph (or the given `token`; `null` for none). */
  query(query: string, options?: { token?: string | null; variables?: Record<string, unknown>; headers?: Record<string, string> }): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

export async function startIdp(): Promise<DevIdentityProvider> {
  return startDevIdentityProvider({ port: 0 });
}

/** Records what the subgraph's resolvers got in their context. */
export function recordCallers(into: (Caller | undefined)[]): Plugin {
  return {
    onExecute({ args }) {
      into.push((args.contextValue as { caller?: Caller }).caller);
    },
  };
}

export async function startSubgraph(
  idp: DevIdentityProvider,
  name: SubgraphName,
  options: { seed?: number; issuer?: string | string[] } = {},
): Promise<RunningSubgraph> {
  const app = DEMO_APPS[name];
  const callers: (Caller | undefined)[] = [];
  const subgraph = CREATE[name]({
    auth: { issuer: options.issuer ?? idp.issuer, jwksUri: idp.jwksUri, audiences: [app.clientId, app.appIdUri] },
    plugins: [recordCallers(callers)],
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  const listening = await listenSubgraph(subgraph, { port: 0 });
  const token = (mint: MintOptions = {}) => idp.mint({ kind: 'user', audience: app.clientId, ...mint });
  return {
    name,
    subgraph,
    url: listening.url,
    callers,
    token,
    async query(query, { token: given, variables, headers = {} } = {}) {
      const bearer = given === undefined ? await token() : given;
      return post(listening.url, { query, ...(variables ? { variables } : {}) }, {
        ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
        ...headers,
      });
    },
    async close() {
      await listening.close();
      subgraph.close();
    },
  };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as GraphQLResponse['body'] };
}

/** `data` of a response that must have no errors. */
export function dataOf(response: GraphQLResponse): Record<string, unknown> {
  if (response.status !== 200 || response.body.errors) {
    throw new Error(`expected data, got HTTP ${response.status}: ${response.text.slice(0, 500)}`);
  }
  return response.body.data ?? {};
}

export function ids(from: number, count: number, prefix = 'C-', width = 4): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(from + i).padStart(width, '0')}`);
}
