import { request as httpRequest } from 'node:http';
import { expect } from 'vitest';
import type { MeshgateConfigInput } from '../../src/config/config-schema.js';
import { parseConfig } from '../../src/config/load-config.js';
import { demoConfig } from '../../src/demo/demo-config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createGateway, GRAPHQL_PATH, type GatewayOptions } from '../../src/server/create-gateway.js';
import { listenGateway } from '../../src/server/listen-gateway.js';
import type { TestDemo } from '../e2e/support.js';

/** A query that reaches the customers subgraph: a rejected request must not. */
export const CUSTOMER_QUERY = '{ customer(id: "C-0001") { id name } }';
/** A query the gateway answers alone: for callers whose tokens cannot be exchanged downstream. */
export const TYPENAME_QUERY = '{ __typename }';

/** What came back: status, headers, and the body (parsed JSON, or the text). */
export interface Outcome {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** POSTs `query` with exactly the headers given (no Authorization unless given), over real HTTP. */
export async function post(url: string, headers: Record<string, string>, query = CUSTOMER_QUERY, search = ''): Promise<Outcome> {
  const response = await fetch(`${url}${search}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // 431 and other answers of Node's HTTP parser carry no JSON.
  }
  return { status: response.status, headers: response.headers, body };
}

/**
 * POSTs with raw header lines, so that the same header can be sent twice (fetch would join
 * the values into one line).
 */
export function postRaw(url: string, rawHeaders: string[], query = CUSTOMER_QUERY): Promise<Outcome> {
  const body = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    // Raw header lines replace Node's defaults, Host included (HTTP/1.1 servers refuse a request without it).
    const headers = ['host', new URL(url).host, 'content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)), ...rawHeaders];
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers.set(name, value);
        resolve({ status: res.statusCode ?? 0, headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The whole answer to an invalid token: 401, the challenge with the fixed reason, the error body. */
export function invalidToken(reason: string): Expected {
  return {
    status: 401,
    challenge: `Bearer realm="meshgate", error="invalid_token", error_description="${reason}"`,
    body: { errors: [{ message: `Unauthenticated: ${reason}.`, extensions: { code: 'UNAUTHENTICATED' } }] },
  };
}

/** The whole answer to a malformed request (empty Bearer, two tokens, query string...). */
export function invalidRequest(reason: string, status = 401): Expected {
  return {
    status,
    challenge: `Bearer realm="meshgate", error="invalid_request", error_description="${reason}"`,
    body: { errors: [{ message: `Unauthenticated: ${reason}.`, extensions: { code: 'UNAUTHENTICATED' } }] },
  };
}

export const NO_TOKEN: Expected = {
  status: 401,
  challenge: 'Bearer realm="meshgate"',
  body: { errors: [{ message: 'Unauthenticated: a bearer token is required.', extensions: { code: 'UNAUTHENTICATED' } }] },
};

export const KEYS_UNAVAILABLE: Expected = {
  status: 503,
  challenge: null,
  body: { errors: [{ message: 'Cannot verify access tokens right now: the signing keys are unavailable.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] },
};

/** Accepted, the customers subgraph answered. */
export const CUSTOMER_DATA: Expected = { status: 200, challenge: null, body: { data: { customer: { id: 'C-0001', name: expect.any(String) } } } };
/** Accepted, answered by the gateway alone. */
export const TYPENAME_DATA: Expected = { status: 200, challenge: null, body: { data: { __typename: 'Query' } } };

export interface Expected {
  readonly status: number;
  readonly challenge: string | null;
  readonly body: unknown;
}

/**
 * Asserts the whole outcome, and what the subgraphs received: nothing at all for a refused
 * request; for an accepted one, the customers subgraph got the operation when it was asked.
 */
export function expectOutcome(demo: TestDemo, outcome: Outcome, expected: Expected): void {
  expect({ status: outcome.status, challenge: outcome.headers.get('www-authenticate'), body: outcome.body }).toEqual(expected);
  const received = Object.fromEntries(Object.entries(demo.received).map(([name, r]) => [name, r.operations.length]));
  if (expected.status !== 200) {
    expect(received).toEqual({ customers: 0, orders: 0, knowledge: 0 });
  } else if (expected === CUSTOMER_DATA) {
    expect(received.customers).toBeGreaterThan(0);
  }
}

export function clearReceived(demo: TestDemo): void {
  for (const recorder of Object.values(demo.received)) recorder.clear();
}

/** Another gateway over the demo's identity provider (as STS) and subgraphs, with its own `auth` block. */
export async function startGatewayWith(
  demo: TestDemo,
  auth: MeshgateConfigInput['auth'],
  options: GatewayOptions = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const base = demoConfig({
    issuer: demo.idp.issuer,
    tokenEndpoint: demo.idp.tokenEndpoint,
    subgraphs: { customers: demo.subgraphs.customers.url, orders: demo.subgraphs.orders.url, knowledge: demo.subgraphs.knowledge.url },
    listen: { host: '127.0.0.1', port: 0 },
  });
  const config = parseConfig({ ...base, auth });
  const gateway = createGateway(config, { logger: createLogger('silent'), ...options });
  const server = await listenGateway(gateway, { ...config.listen, maxBodyBytes: config.limits.maxBodyBytes });
  try {
    await gateway.start();
  } catch (error) {
    await server.close(0);
    await gateway.close();
    throw error;
  }
  return {
    url: `${server.url}${GRAPHQL_PATH}`,
    close: async () => {
      await server.close(100);
      await gateway.close();
    },
  };
}

export const nowSeconds = (now = Date.now()): number => Math.floor(now / 1000);
