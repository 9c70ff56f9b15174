import { parseConfig } from '../../src/config/load-config.js';
import { createGateway, GRAPHQL_PATH, type Gateway } from '../../src/server/create-gateway.js';
import { listenGateway, type ListeningGateway } from '../../src/server/listen-gateway.js';
import { BENCH_APPS } from '../bench-directory.js';
import type { StartedServer } from '../ipc-protocol.js';
import type { MeshgateStart, MeshgateStats } from '../process-payloads.js';
import { serveIpc } from '../serve-ipc.js';

// meshgate with everything on: Entra token verification, the subgraphs' @authenticated /
// @requiresScopes rules, and an OBO exchange per caller and subgraph audience against the dev
// identity provider. Built exactly as `meshgate serve` builds it: parseConfig, createGateway,
// listenGateway. Audit events are off (as in the demo config) and logs at warn.

let gateway: Gateway | undefined;
let server: ListeningGateway | undefined;

serveIpc(
  {
    async start(payload): Promise<StartedServer> {
      const { issuer, tokenEndpoint, subgraphs } = payload as MeshgateStart;
      const { gateway: app } = BENCH_APPS;
      const config = parseConfig({
        listen: { host: '127.0.0.1', port: 0 },
        graphiql: false,
        auth: { issuers: [{ issuer }], audiences: [app.appIdUri, app.clientId] },
        exchange: { grant: 'entra-obo', tokenEndpoint, clientId: app.clientId, clientSecret: app.clientSecret },
        subgraphs: subgraphs.map(({ name, url, audience }) => ({ name, url, audience })),
        log: { level: 'warn' },
        audit: { sink: 'off' },
      });
      gateway = createGateway(config);
      server = await listenGateway(gateway, { ...config.listen, maxBodyBytes: config.limits.maxBodyBytes });
      const started = performance.now();
      await gateway.start();
      return { url: `${server.url}${GRAPHQL_PATH}`, startMs: performance.now() - started };
    },
    stats: (): MeshgateStats | undefined => (gateway ? { exchange: { ...gateway.exchanger.stats } } : undefined),
  },
  async () => {
    await server?.close(100);
    await gateway?.close();
  },
);
