import { createGatewayRuntime, type GatewayConfigSupergraph } from '@graphql-hive/gateway-runtime';
import { buildHTTPExecutor, type HTTPExecutorOptions } from '@graphql-tools/executor-http';
import type { StartedServer } from '../ipc-protocol.js';
import { listenHttp, type RequestListener } from '../listen-http.js';
import type { HiveGatewayStart } from '../process-payloads.js';
import { serveIpc } from '../serve-ipc.js';

// Hive Gateway (@graphql-hive/gateway-runtime) over the federation subgraphs, with the
// supergraph Apollo's composition produced. Its usual HTTP transport package
// (@graphql-mesh/transport-http) is not installed; this does what that package does:
// buildHTTPExecutor at the subgraph's location, with the gateway's fetch. Upstream
// de-duplication, on by default in buildHTTPExecutor, is turned off
// (`deduplicateInflightRequests: false`); inbound de-duplication
// (`inboundInflightRequestDeduplication`) is off by default and set off explicitly.

type Transports = NonNullable<GatewayConfigSupergraph['transports']>;

const transports: Transports = {
  http: {
    getSubgraphExecutor: ({ transportEntry, fetch }) =>
      buildHTTPExecutor({
        endpoint: transportEntry.location!,
        ...(transportEntry.options as HTTPExecutorOptions | undefined),
        // The gateway's own fetch (it runs the plugins' onFetch hooks), as the real transport passes it.
        fetch,
        deduplicateInflightRequests: false,
      } as HTTPExecutorOptions),
  },
};

serveIpc({
  async start(payload): Promise<StartedServer> {
    const { supergraphSdl } = payload as HiveGatewayStart;
    const started = performance.now();
    const gateway = createGatewayRuntime({
      supergraph: supergraphSdl,
      transports,
      transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
      inboundInflightRequestDeduplication: false,
      logging: false,
      graphiql: false,
      landingPage: false,
    });
    const { origin } = await listenHttp({ '/graphql': gateway as unknown as RequestListener });
    // The runtime loads the supergraph lazily: one request makes it ready before timing starts.
    const response = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    await response.text();
    return { url: `${origin}/graphql`, startMs: performance.now() - started };
  },
});
