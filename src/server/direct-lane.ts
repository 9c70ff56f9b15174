import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ExecutionResult } from 'graphql';
import { authorizationHeaderCount, bearerTokenOf } from '../auth/read-bearer-token.js';
import type { EntraVerifier } from '../auth/entra-verifier.js';
import type { ForwardDecisions } from '../authz/forward-decisions.js';
import { grantsKeyOf } from '../authz/grants.js';
import type { AuditSink } from '../observability/audit-sink.js';
import { operationAuditEvent } from '../observability/use-audit.js';
import type { GatewayContext } from './gateway-context.js';
import { requestIdFrom } from './request-id.js';
import { keepPrefetched } from './prefetched-results.js';
import { regularMediaType } from './response-media-type.js';

/** A Node request handler (yoga's own, or the lane in front of it). */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What the direct lane needs of the gateway. */
export interface DirectLaneOptions {
  /** The full pipeline: every request the lane does not answer goes there, unchanged. */
  readonly yoga: NodeHandler;
  readonly path: string;
  readonly verifier: EntraVerifier;
  /** The forwarding decisions of the graph being served; undefined while nothing is served. */
  readonly decisions: () => ForwardDecisions | undefined;
  readonly maxTokenBytes: number;
  readonly maxBodyBytes: number;
  /** Audit events of the operations the lane answers; undefined when audit is off. */
  readonly audit?: { readonly sink: AuditSink; readonly now: () => number };
  /** Called for each request the lane answers (a metric). */
  readonly onAnswer?: () => void;
}

/**
 * A body yoga receives after the lane has read the stream, the way body-parsing frameworks
 * hand it over (@whatwg-node/server reads `req.body`). A stream, not the Buffer itself: the
 * adapter lists the body's own keys first, which for a Buffer is one per byte.
 */
interface ReadRequest extends IncomingMessage {
  body?: Readable;
}

const BODY_KEYS = new Set(['query', 'operationName', 'variables']);

/**
 * The direct lane: answers again, without yoga's pipeline, a request that the full pipeline
 * has already decided is forwarded whole to one subgraph (`ForwardDecisions`), and hands every
 * other request to yoga untouched.
 *
 * Nothing is skipped that depends on the request: the token is verified (cached by hash until
 * `exp`, as on the full path), the decision is looked up by the exact operation text, operation
 * name and the caller's scope set, variables are coerced against the graph, and the subgraph
 * gets a token exchanged for this caller. What is skipped is what the decision already holds:
 * parsing, validation, limits and authorization planning of that same text for that same scope
 * set. The lane answers only plain successes (data, no errors, no extensions); anything else
 * (a token refused, an unknown text, a subgraph error) goes to yoga, which answers it exactly
 * as before. When the lane already called the subgraphs, yoga answers from that result
 * (prefetched-results.ts) instead of calling them again; a failed merge plan then costs only
 * stitching's own calls. Only queries take the lane.
 *
 * Only the most common shape takes the lane: `POST <path>` with a JSON body, a bearer token,
 * no `Origin` (CORS stays yoga's), no content encoding, and an `Accept` that yoga would answer
 * with a single JSON response (the same media type is used).
 */
export function createDirectLane(options: DirectLaneOptions): NodeHandler {
  const { yoga, path, verifier, maxTokenBytes, maxBodyBytes, audit } = options;

  return (req, res) => {
    const headers = req.headers;
    if (
      req.method !== 'POST' || req.url !== path || headers.authorization === undefined || headers.origin !== undefined ||
      headers['content-encoding'] !== undefined || !isJson(headers['content-type'])
    ) {
      yoga(req, res);
      return;
    }
    const mediaType = regularMediaType(headers.accept);
    if (!mediaType) {
      yoga(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // The listener answers 413 past the limit (listen-gateway.ts); stop keeping it here too.
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.once('end', () => {
      if (size > maxBodyBytes || res.headersSent) return;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      const fallback = () => {
        (req as ReadRequest).body = Readable.from([body]);
        yoga(req, res);
      };
      answer(req, body).then(
        (payload) => {
          if (payload === undefined) return fallback();
          options.onAnswer?.();
          res.writeHead(200, { 'content-type': `${mediaType}; charset=utf-8`, 'content-length': Buffer.byteLength(payload) });
          res.end(payload);
        },
        // An unexpected failure: the full pipeline answers (and masks) it.
        () => fallback(),
      ).catch(() => {
        // Writing the answer failed (the connection is gone): never an unhandled rejection.
        res.destroy();
      });
    });
  };

  /** The lane's answer, or undefined when yoga must answer. */
  async function answer(req: IncomingMessage, body: Buffer): Promise<string | undefined> {
    const decisions = options.decisions();
    if (!decisions || !verifier.isReady) return undefined;
    const params = graphqlParams(body);
    if (!params) return undefined;

    let token: string | undefined;
    try {
      token = bearerTokenOf(req.headers.authorization ?? null, maxTokenBytes, authorizationHeaderCount(req.rawHeaders));
    } catch {
      return undefined;
    }
    if (token === undefined) return undefined;
    // A refused token goes to yoga, which gives the 401/503 answer of DESIGN.md.
    const principal = await verifier.verify(token).catch(() => undefined);
    if (!principal) return undefined;

    const decision = decisions.find(params.query, params.operationName, grantsKeyOf(principal));
    if (!decision || !decisions.variablesFit(decision, params.variables)) return undefined;

    const context: GatewayContext = {
      principal,
      requestId: audit ? requestIdFrom(singleHeader(req.headers['x-request-id'])) : '',
      subgraphCalls: [],
      denied: [],
    };
    const result = await decision.forward({
      document: decision.document,
      variables: params.variables,
      operationName: decision.operationName,
      context,
    });
    if (!isPlainSuccess(result)) {
      // Yoga answers it, from this result: the subgraphs are not called again for it.
      keepPrefetched(req, { forward: decision.forward, result, calls: context.subgraphCalls });
      return undefined;
    }
    if (audit) audit.sink.write(operationAuditEvent(context, decision.audited, result, audit.now()));
    return JSON.stringify(result);
  }
}

interface GraphQLParams {
  readonly query: string;
  readonly operationName: string | undefined;
  readonly variables: Record<string, unknown> | undefined;
}

/** The body as GraphQL-over-HTTP parameters, or undefined for anything yoga should judge. */
function graphqlParams(body: Buffer): GraphQLParams | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const params = parsed as Record<string, unknown>;
  for (const key in params) if (!BODY_KEYS.has(key)) return undefined;
  const { query, operationName, variables } = params;
  if (typeof query !== 'string') return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  return {
    query,
    operationName: operationName ?? undefined,
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
  };
}

function isPlainSuccess(result: ExecutionResult): boolean {
  if (result.data == null || result.errors !== undefined) return false;
  for (const key in result) if (key !== 'data') return false;
  return true;
}

/** `application/json`, with no parameter but `charset=utf-8` (the body is read as UTF-8). */
function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const normalized = contentType.replace(/\s/g, '').toLowerCase();
  return normalized === 'application/json' || normalized === 'application/json;charset=utf-8';
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
