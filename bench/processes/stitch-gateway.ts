import { buildASTSchema, parse, print, type DocumentNode } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { stitchSchemas } from '@graphql-tools/stitch';
import { stitchingDirectives } from '@graphql-tools/stitching-directives';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import type { StartedServer } from '../ipc-protocol.js';
import { listenHttp } from '../listen-http.js';
import type { StitchGatewayStart } from '../process-payloads.js';
import { serveIpc } from '../serve-ipc.js';

// The plain baseline: the same libraries as meshgate (yoga 5, @graphql-tools/stitch with the
// stitching directives and batched type merging) and no security at all. The executor is the
// one the graphql-tools documentation shows: print, POST, parse; no de-duplication.

function remoteExecutor(url: string): Executor {
  return async ({ document, variables, operationName }: ExecutionRequest): Promise<ExecutionResult> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: print(document as DocumentNode), variables, operationName }),
    });
    return (await response.json()) as ExecutionResult;
  };
}

async function fetchSdl(url: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ _sdl }' }) });
  const body = (await response.json()) as { data?: { _sdl?: string } };
  if (typeof body.data?._sdl !== 'string') throw new Error(`${url} answered no SDL`);
  return body.data._sdl;
}

serveIpc({
  async start(payload): Promise<StartedServer> {
    const { subgraphs } = payload as StitchGatewayStart;
    const started = performance.now();
    const sdls = await Promise.all(subgraphs.map((s) => fetchSdl(s.url)));
    const schema = stitchSchemas({
      subschemas: subgraphs.map((s, i) => ({ name: s.name, schema: buildASTSchema(parse(sdls[i]!)), executor: remoteExecutor(s.url), batch: true })),
      subschemaConfigTransforms: [stitchingDirectives().stitchingDirectivesTransformer],
    });
    const yoga = createYoga({ schema, graphqlEndpoint: '/graphql', graphiql: false, landingPage: false });
    const startMs = performance.now() - started;
    const { origin } = await listenHttp({ '/graphql': yoga });
    return { url: `${origin}/graphql`, startMs };
  },
});
