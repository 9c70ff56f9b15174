import { startDevIdentityProvider, type DevIdentityProvider } from '../../src/idp/index.js';
import { BENCH_APPS, BENCH_DIRECTORY, benchUser } from '../bench-directory.js';
import type { IdpStarted, MintRequest } from '../process-payloads.js';
import { serveIpc } from '../serve-ipc.js';

// The dev identity provider in its own process: issuer, JWKS and STS (OBO) for meshgate and
// the secured subgraphs; it also mints the callers' tokens for the load generator.

const LIFETIME_SECONDS = 8 * 3600;
const MAX_MINT = 20_000;
let idp: DevIdentityProvider | undefined;

serveIpc(
  {
    async start(): Promise<IdpStarted> {
      idp = await startDevIdentityProvider({ apps: BENCH_DIRECTORY, users: [benchUser(0)], tokenLifetimeSeconds: LIFETIME_SECONDS });
      return { issuer: idp.issuer, jwksUri: idp.jwksUri, tokenEndpoint: idp.tokenEndpoint };
    },
    async mint(payload): Promise<string[]> {
      const { from, count, audience, scopes } = payload as MintRequest;
      if (!idp) throw new Error('not started');
      if (!Number.isInteger(from) || !Number.isInteger(count) || count < 1 || count > MAX_MINT) throw new Error(`count must be 1..${MAX_MINT}`);
      const tokens: string[] = [];
      for (let i = from; i < from + count; i++) {
        tokens.push(
          await idp.mint({
            user: benchUser(i),
            clientId: BENCH_APPS.client.clientId,
            audience: audience ?? BENCH_APPS.gateway.clientId,
            lifetimeSeconds: LIFETIME_SECONDS,
            ...(scopes ? { scopes } : {}),
          }),
        );
      }
      return tokens;
    },
    stats: () => idp?.stats,
  },
  () => idp?.close(),
);
