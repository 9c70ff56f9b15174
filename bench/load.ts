import autocannon from 'autocannon';

/** One kind of request the load generator sends (connections cycle through the list). */
export interface LoadRequest {
  readonly body: string;
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  readonly url: string;
  readonly requests: readonly LoadRequest[];
  readonly connections: number;
  /** Seconds; or give `amount`. */
  readonly durationSeconds?: number;
  /** Total requests to send instead of a duration. */
  readonly amount?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Bearer tokens, used round-robin (one per request): distinct callers. */
  readonly tokens?: readonly string[];
  /** Every response body must be one of these (byte for byte), or it counts as a mismatch. */
  readonly acceptBodies?: ReadonlySet<string>;
}

/** What one load run measured. Latencies in ms, from each response's own timing. */
export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  /** Socket errors, timeouts, non-2xx answers and unexpected bodies: all must be 0. */
  readonly failures: number;
}

/**
 * Runs autocannon (programmatic API) against `url` with POSTed GraphQL requests. autocannon's
 * own latency histogram has 1 ms resolution, too coarse for sub-millisecond latencies, so each
 * response time is collected here and the percentiles are computed exactly.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...options.headers };
  const tokens = options.tokens;
  let next = 0;
  const requests: autocannon.Request[] = options.requests.map(({ body }) => ({
    method: 'POST',
    body,
    headers,
    ...(tokens && tokens.length > 0
      ? { setupRequest: (request: autocannon.RequestParams) => ({ ...request, headers: { ...headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` } }) }
      : {}),
  }));
  const latencies: number[] = [];
  const accept = options.acceptBodies;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds ?? 5 }),
        requests,
        ...(accept ? { verifyBody: (body: string) => accept.has(body) } : {}),
        timeout: 30,
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const sorted = Float64Array.from(latencies).sort();
        const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
        resolve({
          requests: sorted.length,
          seconds,
          rps: sorted.length / seconds,
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
          mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
          failures: result.errors + result.timeouts + result.non2xx + result.mismatches,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
    });
  });
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
