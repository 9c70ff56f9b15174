import type { ExecutionResult } from 'graphql';
import type { ForwardOperation } from '../stitching/single-subgraph-route.js';
import type { SubgraphCall } from './gateway-context.js';

/** What the direct lane fetched for a request it then handed to yoga. */
interface Prefetched {
  readonly forward: ForwardOperation;
  readonly result: ExecutionResult;
  readonly calls: readonly SubgraphCall[];
}

const byRequest = new WeakMap<object, Prefetched>();

/**
 * Keeps the answer the direct lane got for a request that it cannot send itself (an error,
 * a merge plan that needs stitching), so that yoga's pipeline uses it instead of calling the
 * subgraphs again: a failing subgraph then sees each request once, not once per path.
 * Keyed by the Node request object, which yoga's context carries as `req`.
 */
export function keepPrefetched(req: object, prefetched: Prefetched): void {
  byRequest.set(req, prefetched);
}

/**
 * The lane's answer for this context's request, once, and only if it came from the very
 * same forwarding decision (same graph, same document, same scope set); else undefined.
 */
export function takePrefetched(context: unknown, forward: ForwardOperation): Prefetched | undefined {
  const req = (context as { req?: unknown } | null)?.req;
  if (req === null || typeof req !== 'object') return undefined;
  const prefetched = byRequest.get(req);
  if (!prefetched) return undefined;
  byRequest.delete(req);
  return prefetched.forward === forward ? prefetched : undefined;
}
