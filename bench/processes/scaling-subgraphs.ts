import type { GraphQLSchema } from 'graphql';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { useRequireAudience } from '../../subgraphs/shared/require-audience.js';
import { scalingSubgraphApp } from '../bench-directory.js';
import type { StartedServer } from '../ipc-protocol.js';
import { listenHttp, type RequestListener } from '../listen-http.js';
import { scalingSubgraphPath, type ScalingSubgraphsStart } from '../process-payloads.js';
import { serveIpc } from '../serve-ipc.js';
import { scalingSubgraph } from '../subgraphs/scaling-subgraph.js';

// Many small subgraphs in one process: the measurement is about the gateway, and 30 processes
// would only add scheduling noise on a small machine. Each still checks its own audience.
serveIpc({
  async start(payload): Promise<StartedServer> {
    const { count, issuer, jwksUri } = payload as ScalingSubgraphsStart;
    const started = performance.now();
    const routes: Record<string, RequestListener> = {};
    for (let i = 0; i < count; i++) {
      const { sdl, resolvers } = scalingSubgraph(i);
      const app = scalingSubgraphApp(i);
      const schema: GraphQLSchema = createSchema({ typeDefs: sdl, resolvers });
      routes[scalingSubgraphPath(i)] = createYoga({
        schema,
        graphqlEndpoint: scalingSubgraphPath(i),
        graphiql: false,
        landingPage: false,
        maskedErrors: true,
        plugins: [useRequireAudience({ issuer, jwksUri, audiences: [app.clientId, app.appIdUri] }) as Plugin],
      });
    }
    const { origin } = await listenHttp(routes);
    return { url: origin, startMs: performance.now() - started };
  },
});
