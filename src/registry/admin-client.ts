import { readBoundedText } from '../util/read-bounded.js';

/** One answer of the admin API. */
export interface AdminResponse {
  readonly status: number;
  /** The parsed JSON body (an `{ error }` object for failures). */
  readonly body: AdminBody;
}

/** The JSON the admin API answers with; `error` on failures. */
export interface AdminBody {
  readonly error?: { code: string; message: string; reasons?: string[]; changes?: AdminChange[] };
  readonly [key: string]: unknown;
}

export interface AdminChange {
  readonly kind: string;
  readonly type: string;
  readonly coordinate?: string;
  readonly message: string;
}

/** Options of `AdminClient`. */
export interface AdminClientOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:4000. */
  readonly gateway: string;
  /** An Entra access token for the gateway (admin app role, or owner of the subgraph). */
  readonly token: string;
  readonly fetch?: typeof fetch;
  /** Per request. Default 60 s: a registration fetches an SDL and composes the graph. */
  readonly timeoutMs?: number;
}

const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/**
 * A small client of the registry's admin API, for the `meshgate subgraph` command and CI
 * pipelines. It never prints or returns the token.
 *
 * @example
 * const admin = new AdminClient({ gateway: 'http://127.0.0.1:4000', token });
 * const { status, body } = await admin.request('PUT', '/admin/subgraphs/inventory', { url, audience });
 */
export class AdminClient {
  readonly #base: URL;
  readonly #token: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: AdminClientOptions) {
    let base: URL;
    try {
      base = new URL(options.gateway);
    } catch {
      throw new TypeError(`--gateway: "${options.gateway}" is not an absolute http(s) URL`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('--gateway: must be an http(s) URL');
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(options.token)) throw new TypeError('the token is not a bearer token (base64url text)');
    this.#base = base;
    this.#token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Sends one request; network failures throw an Error naming the gateway (never the token). */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<AdminResponse> {
    // The gateway may be mounted under a path prefix (a reverse proxy): keep it.
    const url = new URL(`${this.#base.pathname.replace(/\/+$/, '')}${path}`, this.#base);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new Error(`the gateway at ${this.#base.origin} ${timedOut ? 'did not answer in time' : 'does not answer'}`);
    }
    const text = await readBoundedText(response, MAX_ANSWER_BYTES).catch(() => '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const answer = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as AdminBody) : { error: { code: `HTTP_${response.status}`, message: `the gateway answered ${response.status} without JSON; is ${this.#base.origin} a meshgate gateway with the registry on?` } };
    return { status: response.status, body: answer };
  }
}
