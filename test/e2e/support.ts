import type { Plugin } from 'graphql-yoga';
import { createMemoryAuditSink } from '../../src/observability/audit-sink.js';
import { createLogger } from '../../src/observability/logger.js';
import { startDemo, type Demo, type DemoOptions } from '../../src/demo/start-demo.js';

/** What one subgraph received: each request's operation text and the token's audience. */
export interface Recorder {
  readonly plugin: Plugin;
  readonly operations: string[];
  clear(): void;
}

/** A yoga plugin for a sample subgraph that records every operation it is sent. */
export function recordOperations(): Recorder {
  const operations: string[] = [];
  return {
    operations,
    clear: () => void operations.splice(0),
    plugin: {
      onParams({ params }) {
        operations.push(params.query ?? '');
      },
    },
  };
}

export interface TestDemo extends Demo {
  readonly received: Record<'customers' | 'orders' | 'knowledge', Recorder>;
  readonly audit: ReturnType<typeof createMemoryAuditSink>;
}

/** The real demo on OS-chosen ports, silent, with the given audit sink, subgraph plugins and config changes. */
export function startDemoOnFreePorts(options: Pick<DemoOptions, 'configure' | 'subgraphPlugins' | 'auditSink'>): Promise<Demo> {
  return startDemo({
    gatewayPort: 0,
    idpPort: 0,
    subgraphPorts: { customers: 0, orders: 0, knowledge: 0 },
    logger: createLogger('silent'),
    ...options,
  });
}

/** The real demo (identity provider, three subgraphs, gateway) on OS-chosen ports; `configure` changes the gateway's config. */
export async function startTestDemo(options: Pick<DemoOptions, 'configure'> = {}): Promise<TestDemo> {
  const received = { customers: recordOperations(), orders: recordOperations(), knowledge: recordOperations() };
  const audit = createMemoryAuditSink();
  const demo = await startDemoOnFreePorts({
    auditSink: audit,
    ...options,
    subgraphPlugins: {
      customers: [received.customers.plugin],
      orders: [received.orders.plugin],
      knowledge: [received.knowledge.plugin],
    },
  });
  return { ...demo, received, audit };
}

export interface GraphQLResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

/** POSTs an operation over real HTTP. */
export async function graphql(
  url: string,
  query: string,
  options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, ...(options.variables ? { variables: options.variables } : {}) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse['body'] };
}
