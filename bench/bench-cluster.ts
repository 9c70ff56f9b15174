import { BenchChild, type ForkOptions } from './bench-child.js';
import { BENCH_APPS } from './bench-directory.js';
import type { StartedServer } from './ipc-protocol.js';
import { BENCH_SUBGRAPH_PATHS, type IdpStarted, type MeshgateStart, type MintRequest, type SubgraphEndpoint } from './process-payloads.js';

/**
 * The processes every measurement shares: the identity provider and the two bench subgraphs,
 * and a way to start a meshgate over them (or over other subgraphs). Everything started here
 * is stopped by `stopAll`, also when the run fails half-way.
 */
export class BenchCluster {
  readonly idp: BenchChild;
  readonly idpInfo: IdpStarted;
  readonly products: BenchChild;
  readonly reviews: BenchChild;
  /** Origins of the two subgraph processes. */
  readonly origins: { readonly products: string; readonly reviews: string };
  readonly #children: BenchChild[];

  private constructor(idp: BenchChild, idpInfo: IdpStarted, products: BenchChild, reviews: BenchChild, origins: BenchCluster['origins'], children: BenchChild[]) {
    this.idp = idp;
    this.idpInfo = idpInfo;
    this.products = products;
    this.reviews = reviews;
    this.origins = origins;
    this.#children = children;
  }

  static async start(): Promise<BenchCluster> {
    const children: BenchChild[] = [];
    try {
      const idp = await BenchChild.start<IdpStarted>('idp', 'idp');
      children.push(idp.child);
      const subgraph = async (name: 'products' | 'reviews') => {
        const app = BENCH_APPS[name];
        const started = await BenchChild.start<StartedServer>(name, 'bench-subgraph', {
          name,
          issuer: idp.started.issuer,
          jwksUri: idp.started.jwksUri,
          audiences: [app.clientId, app.appIdUri],
        });
        children.push(started.child);
        return started;
      };
      const [products, reviews] = await Promise.all([subgraph('products'), subgraph('reviews')]);
      return new BenchCluster(idp.child, idp.started, products.child, reviews.child, { products: products.started.url, reviews: reviews.started.url }, children);
    } catch (error) {
      for (const child of children) child.kill();
      throw error;
    }
  }

  /** Endpoints of the two bench subgraphs for one flavour (see BENCH_SUBGRAPH_PATHS). */
  endpoints(flavour: keyof typeof BENCH_SUBGRAPH_PATHS): SubgraphEndpoint[] {
    return [
      { name: 'products', url: `${this.origins.products}${BENCH_SUBGRAPH_PATHS[flavour]}` },
      { name: 'reviews', url: `${this.origins.reviews}${BENCH_SUBGRAPH_PATHS[flavour]}` },
    ];
  }

  /** The secured endpoints with their audiences: what meshgate is configured with. */
  meshgateSubgraphs(): MeshgateStart['subgraphs'] {
    return this.endpoints('secured').map((e) => ({ ...e, audience: BENCH_APPS[e.name as 'products' | 'reviews'].appIdUri }));
  }

  /** Starts a child that the cluster will also stop. */
  async startChild<T>(name: string, entry: string, payload?: unknown, options?: ForkOptions): Promise<{ child: BenchChild; started: T }> {
    const started = await BenchChild.start<T>(name, entry, payload, options);
    this.#children.push(started.child);
    return started;
  }

  async startMeshgate(subgraphs: MeshgateStart['subgraphs'] = this.meshgateSubgraphs(), options?: ForkOptions): Promise<{ child: BenchChild; started: StartedServer }> {
    const payload: MeshgateStart = { issuer: this.idpInfo.issuer, tokenEndpoint: this.idpInfo.tokenEndpoint, subgraphs };
    return this.startChild<StartedServer>('meshgate', 'meshgate', payload, options);
  }

  /** User tokens of callers `from` .. `from + count - 1` (minted in the provider, in chunks). */
  async mint(from: number, count: number, claims: Pick<MintRequest, 'audience' | 'scopes'> = {}): Promise<string[]> {
    const tokens: string[] = [];
    for (let offset = 0; offset < count; offset += 1000) {
      const request: MintRequest = { from: from + offset, count: Math.min(1000, count - offset), ...claims };
      tokens.push(...(await this.idp.call<string[]>('mint', request)));
    }
    return tokens;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.#children.reverse().map((child) => child.stop().catch(() => child.kill())));
  }

  killAll(): void {
    for (const child of this.#children) child.kill();
  }
}
