import { Pool, type Dispatcher } from 'undici';
import { readBoundedText } from '../util/read-bounded.js';

/** One POST to a subgraph, as the executor needs it. */
export interface SubgraphPost {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Deadline of the whole exchange: connect, send, headers and body. */
  readonly timeoutMs: number;
  /** Largest response body read; a larger one fails with `too-large`. */
  readonly maxResponseBytes: number;
}

/** What came back: a status and the whole body as text. */
export interface SubgraphReply {
  readonly status: number;
  readonly text: string;
}

/** Why a POST got no reply, in the executor's words. */
export class SubgraphTransportError extends Error {
  constructor(readonly reason: 'timed-out' | 'unreachable' | 'too-large') {
    super(`subgraph request failed: ${reason}`);
    this.name = 'SubgraphTransportError';
  }
}

/** Sends POSTs to subgraphs. `close` ends its connections. */
export interface SubgraphTransport {
  post(request: SubgraphPost): Promise<SubgraphReply>;
  close(): Promise<void>;
}

/** Options of `createPooledTransport`. */
export interface PooledTransportOptions {
  /** Open connections kept per subgraph origin; more requests wait for one. Default 64. */
  readonly connectionsPerOrigin?: number;
  /** How long an idle connection is kept open. Default 30 s (the server's own keep-alive hint wins when shorter). */
  readonly keepAliveMs?: number;
}

/**
 * The default transport: a keep-alive connection pool per subgraph origin (undici `Pool`).
 * The profile of the gateway under load showed the WHATWG fetch layer (request objects, abort
 * signals, web streams) costing more CPU than all of meshgate's own code; `Pool.request`
 * does the same HTTP/1.1 exchange without it.
 *
 * Nothing is ever shared between two requests except the connection: there is no caching and
 * no de-duplication here (the caller's token is a header of its own request).
 */
export function createPooledTransport(options: PooledTransportOptions = {}): SubgraphTransport {
  const connections = options.connectionsPerOrigin ?? 64;
  const keepAliveMs = options.keepAliveMs ?? 30_000;
  const pools = new Map<string, Pool>();
  let closed = false;

  function poolFor(url: URL, maxResponseBytes: number): Pool {
    const key = `${url.origin} ${maxResponseBytes}`;
    let pool = pools.get(key);
    if (!pool) {
      pool = new Pool(url.origin, {
        connections,
        pipelining: 1,
        keepAliveTimeout: keepAliveMs,
        keepAliveMaxTimeout: keepAliveMs,
        // undici stops reading (and fails the request) as soon as the body passes this.
        maxResponseSize: maxResponseBytes,
      });
      pools.set(key, pool);
    }
    return pool;
  }

  const parsedUrls = new Map<string, URL>();
  function parse(url: string): URL {
    let parsed = parsedUrls.get(url);
    if (!parsed) {
      parsed = new URL(url);
      parsedUrls.set(url, parsed);
    }
    return parsed;
  }

  return {
    post(request) {
      if (closed) return Promise.reject(new SubgraphTransportError('unreachable'));
      const url = parse(request.url);
      return exchange(poolFor(url, request.maxResponseBytes), url, request);
    },
    async close() {
      closed = true;
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((pool) => pool.close().catch(() => pool.destroy())));
    },
  };
}

/**
 * One POST through `Dispatcher.dispatch`, the body collected as Buffers: undici's `request()`
 * would wrap it in a Node Readable first, which the profile showed costing more than the
 * rest of the exchange. Settles exactly once: with the reply, or with the first failure
 * (deadline, size, network), after which the request is aborted.
 */
function exchange(pool: Pool, url: URL, request: SubgraphPost): Promise<SubgraphReply> {
  return new Promise<SubgraphReply>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let status = 0;
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    const fail = (reason: SubgraphTransportError['reason']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      controller?.abort(new SubgraphTransportError(reason));
      reject(new SubgraphTransportError(reason));
    };
    const timer = setTimeout(() => fail('timed-out'), request.timeoutMs);
    pool.dispatch(
      {
        path: url.pathname + url.search,
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        body: request.body,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      },
      {
        onRequestStart(started) {
          controller = started;
          // The deadline passed while the request waited for a connection.
          if (settled) started.abort(new SubgraphTransportError('timed-out'));
        },
        onResponseStart(_controller, statusCode, headers) {
          status = statusCode;
          const declared = Number(headers['content-length']);
          if (Number.isFinite(declared) && declared > request.maxResponseBytes) fail('too-large');
        },
        onResponseData(_controller, chunk) {
          if (settled) return;
          size += chunk.length;
          if (size > request.maxResponseBytes) return fail('too-large');
          chunks.push(chunk);
        },
        onResponseEnd() {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status, text: (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8') });
        },
        onResponseError(_controller, error) {
          fail(asTransportError(error, false).reason);
        },
      },
    );
  });
}

/**
 * A transport over a Fetch API function: what `createGateway({ fetch })` uses, so an embedding
 * application's own fetch (a proxy agent, a test recorder) sees the subgraph calls too.
 */
export function createFetchTransport(fetchFn: typeof fetch): SubgraphTransport {
  return {
    async post(request) {
      let response: Response;
      try {
        response = await fetchFn(request.url, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(request.timeoutMs),
        });
      } catch (error) {
        throw new SubgraphTransportError(error instanceof Error && error.name === 'TimeoutError' ? 'timed-out' : 'unreachable');
      }
      try {
        return { status: response.status, text: await readBoundedText(response, request.maxResponseBytes) };
      } catch (error) {
        if (error instanceof Error && error.name === 'TimeoutError') throw new SubgraphTransportError('timed-out');
        throw new SubgraphTransportError(error instanceof Error && error.name === 'BodyTooLargeError' ? 'too-large' : 'unreachable');
      }
    },
    async close() {},
  };
}

function asTransportError(error: unknown, timedOut: boolean): SubgraphTransportError {
  if (error instanceof SubgraphTransportError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new SubgraphTransportError('timed-out');
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return new SubgraphTransportError('too-large');
  return new SubgraphTransportError('unreachable');
}
