import { parse, type GraphQLSchema } from 'graphql';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { useRequireAudience } from '../../subgraphs/shared/require-audience.js';
import type { StartedServer } from '../ipc-protocol.js';
import { listenHttp } from '../listen-http.js';
import { BENCH_SUBGRAPH_PATHS, type BenchSubgraphStart } from '../process-payloads.js';
import { serveIpc } from '../serve-ipc.js';
import { BENCH_SUBGRAPHS } from '../subgraphs/bench-subgraphs.js';

// One bench subgraph (products or reviews) in its own process, served three ways on one port:
// stitching with its own-audience check (meshgate), stitching without (plain stitch gateway,
// direct baseline), and as an Apollo Federation subgraph (Hive Gateway, Apollo Gateway).

function yoga(schema: GraphQLSchema, endpoint: string, plugins: Plugin[] = []) {
  return createYoga({ schema, graphqlEndpoint: endpoint, graphiql: false, landingPage: false, maskedErrors: true, plugins });
}

serveIpc({
  async start(payload): Promise<StartedServer> {
    const options = payload as BenchSubgraphStart;
    const definition = BENCH_SUBGRAPHS[options.name];
    const started = performance.now();
    const stitching: GraphQLSchema = createSchema({ typeDefs: definition.stitchingSdl, resolvers: definition.stitchingResolvers });
    const federation = buildSubgraphSchema({
      typeDefs: parse(definition.federationSdl),
      resolvers: definition.federationResolvers,
    } as Parameters<typeof buildSubgraphSchema>[0]);
    const { origin } = await listenHttp({
      [BENCH_SUBGRAPH_PATHS.secured]: yoga(stitching, BENCH_SUBGRAPH_PATHS.secured, [
        useRequireAudience({ issuer: options.issuer, jwksUri: options.jwksUri, audiences: options.audiences }) as Plugin,
      ]),
      [BENCH_SUBGRAPH_PATHS.open]: yoga(stitching, BENCH_SUBGRAPH_PATHS.open),
      [BENCH_SUBGRAPH_PATHS.federation]: yoga(federation, BENCH_SUBGRAPH_PATHS.federation),
    });
    return { url: origin, startMs: performance.now() - started };
  },
});
