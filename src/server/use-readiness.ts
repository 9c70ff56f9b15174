import type { Plugin } from 'graphql-yoga';
import { errorBody, jsonResponse } from './json-response.js';

/** Options of `useReadiness`. */
export interface ReadinessOptions {
  /** Why the gateway is not ready yet, or undefined once it is. */
  readonly notReadyReason: () => string | undefined;
  /** More to say in the `/readyz` body (e.g. subgraphs served from their last good SDL); never changes the status. */
  readonly details?: () => Record<string, unknown> | undefined;
  readonly readyPath?: string;
  readonly graphqlPath: string;
}

/**
 * `GET /readyz`: 200 once the graph is composed and the issuers' keys are loaded, 503 before.
 * Until then GraphQL requests get 503 too, rather than a half-built graph.
 */
export function useReadiness(options: ReadinessOptions): Plugin {
  const readyPath = options.readyPath ?? '/readyz';
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== readyPath && url.pathname !== options.graphqlPath) return;
      const reason = options.notReadyReason();
      if (url.pathname === readyPath) {
        const details = options.details?.();
        endResponse(jsonResponse(fetchAPI, reason ? 503 : 200, { ...(reason ? { status: 'starting', reason } : { status: 'ready' }), ...details }));
      } else if (reason) {
        endResponse(jsonResponse(fetchAPI, 503, errorBody('The gateway is starting.', 'SERVICE_UNAVAILABLE'), { 'retry-after': '1' }));
      }
    },
  };
}
