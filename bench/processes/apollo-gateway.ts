import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { StartedServer } from '../ipc-protocol.js';
import type { ApolloGatewayStart } from '../process-payloads.js';
import { serveIpc } from '../serve-ipc.js';

// Apollo Gateway (JS) on Apollo Server's standalone HTTP server, composing the federation
// subgraphs itself (IntrospectAndCompose). Its RemoteGraphQLDataSource sends every fetch of
// the query plan as it is: it has no upstream de-duplication to turn off. The composed
// supergraph is handed back to the runner, which gives the same one to Hive Gateway.

serveIpc({
  async start(payload): Promise<StartedServer & { supergraphSdl: string }> {
    const { subgraphs } = payload as ApolloGatewayStart;
    const started = performance.now();
    let supergraphSdl = '';
    const gateway = new ApolloGateway({
      supergraphSdl: new IntrospectAndCompose({ subgraphs: subgraphs.map(({ name, url }) => ({ name, url })) }),
      logger: { debug() {}, info() {}, warn: (m: unknown) => console.warn('apollo gateway:', m), error: (m: unknown) => console.error('apollo gateway:', m) },
    });
    gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
      supergraphSdl = coreSupergraphSdl;
    });
    const server = new ApolloServer({ gateway, plugins: [ApolloServerPluginLandingPageDisabled()] });
    const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
    return { url: new URL('/graphql', url).href, startMs: performance.now() - started, supergraphSdl };
  },
});
