import { isDeepStrictEqual } from 'node:util';
import type { BenchCluster } from './bench-cluster.js';
import { BENCH_SCOPES } from './bench-directory.js';
import { WrongAnswerError } from './check-answer.js';
import type { Targets } from './compare-gateways.js';
import { Q2 } from './queries.js';

/**
 * Before timing meshgate "with full security on", shows that it is on: meshgate refuses a
 * request without a token (401), answers a field the caller lacks the scope for with null and
 * UNAUTHORIZED_FIELD_OR_TYPE (and the rest of the data), and the secured subgraph refuses a
 * request without a token of its own audience (401). Returns what was checked, for the report.
 */
export async function checkSecurity(cluster: BenchCluster, targets: Targets): Promise<string[]> {
  const meshgate = targets.all.get('meshgate')!;
  const secured = targets.all.get('direct-secured')!;
  const post = (url: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: Q2 }) });

  const anonymous = await post(meshgate.url);
  await anonymous.text();
  if (anonymous.status !== 401) throw new WrongAnswerError('meshgate without a token', `HTTP ${anonymous.status}, expected 401`);

  const [narrow] = await cluster.mint(1, 1, { scopes: [BENCH_SCOPES.products] });
  const partial = await post(meshgate.url, { authorization: `Bearer ${narrow}` });
  const body = (await partial.json()) as { data?: { topProducts?: { reviews: unknown }[] }; errors?: { path?: unknown[]; extensions?: { code?: string } }[] };
  const denied = body.errors ?? [];
  const ok =
    partial.status === 200 &&
    body.data?.topProducts?.every((p) => p.reviews === null) === true &&
    denied.length > 0 &&
    denied.every((e) => e.extensions?.code === 'UNAUTHORIZED_FIELD_OR_TYPE' && isDeepStrictEqual(e.path?.slice(-1), ['reviews']));
  if (!ok) throw new WrongAnswerError('meshgate, caller without the reviews scope', JSON.stringify(body).slice(0, 400));

  const noToken = await post(secured.url);
  await noToken.text();
  if (noToken.status !== 401) throw new WrongAnswerError('secured subgraph without a token', `HTTP ${noToken.status}, expected 401`);

  return [
    'meshgate without a token: 401',
    `meshgate, caller without ${BENCH_SCOPES.reviews}: Q2 reviews null with UNAUTHORIZED_FIELD_OR_TYPE, products kept`,
    'secured subgraph without a token of its audience: 401',
  ];
}
