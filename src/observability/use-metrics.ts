import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';

/** Options of `useMetrics`. */
export interface MetricsEndpointOptions {
  readonly registry: Registry;
  /** Default `/metrics`. */
  readonly path?: string;
}

/**
 * `GET /metrics`: the registry in Prometheus text format. Answered before authentication and
 * GraphQL processing, like `/healthz`; the metrics hold no caller data (see `createGatewayMetrics`).
 */
export function useMetrics(options: MetricsEndpointOptions): Plugin {
  const path = options.path ?? '/metrics';
  const { registry } = options;
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== path) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        return;
      }
      const text = await registry.metrics();
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : text, {
          status: 200,
          headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
