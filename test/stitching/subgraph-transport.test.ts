import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parse, type ExecutionResult } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SubgraphTokenPolicy } from '../../src/exchange/exchange-settings.js';
import { TokenExchanger } from '../../src/exchange/token-exchanger.js';
import type { GatewayContext } from '../../src/server/gateway-context.js';
import { createSubgraphExecutor } from '../../src/stitching/subgraph-executor.js';
import {
  createFetchTransport,
  createPooledTransport,
  SubgraphTransportError,
  type SubgraphPost,
  type SubgraphTransport,
} from '../../src/stitching/subgraph-transport.js';

/**
 * The subgraph transports against real HTTP servers on loopback (OS-chosen ports): what goes
 * over the wire, connection reuse, and the three failure reasons the executor turns into
 * `SUBGRAPH_UNAVAILABLE` errors. No assertion depends on how long anything takes.
 */

/** What the test server saw of one request. */
interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly remotePort: number | undefined;
  /** The connection it came on. */
  readonly socket: Socket;
}

interface TestServer {
  readonly server: Server;
  readonly port: number;
  readonly origin: string;
  readonly received: Received[];
  /** `connection` events so far (one per TCP connection accepted). */
  connections: number;
  /** Sockets that emitted `close`. */
  readonly closed: WeakSet<Socket>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

const servers: TestServer[] = [];
const transports: SubgraphTransport[] = [];
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(
    servers.splice(0).map(
      ({ server }) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** Starts a server on 127.0.0.1 that reads each request body whole, then calls `handler`. */
async function startServer(handler: Handler): Promise<TestServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      state.received.push({ method: req.method, url: req.url, headers: req.headers, body, remotePort: req.socket.remotePort, socket: req.socket });
      handler(req, res, body);
    });
  });
  server.on('connection', (socket: Socket) => {
    state.connections++;
    socket.on('close', () => state.closed.add(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const state: TestServer = { server, port, origin: `http://127.0.0.1:${port}`, received: [], connections: 0, closed: new WeakSet() };
  servers.push(state);
  return state;
}

/** A port nothing listens on: a server is opened there and closed again. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

/** Resolves once the connection the server's `index`th request came on has closed. */
async function connectionClosed(subgraph: TestServer, index: number): Promise<void> {
  const received = subgraph.received[index];
  expect(received).toBeDefined();
  await vi.waitFor(() => expect(subgraph.closed.has(received!.socket)).toBe(true), { timeout: 5_000, interval: 20 });
}

/** One turn of the event loop: undici reuses a keep-alive socket only after one (pipelining 1). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

function pooled(): SubgraphTransport {
  const transport = createPooledTransport();
  transports.push(transport);
  return transport;
}

function viaFetch(): SubgraphTransport {
  const transport = createFetchTransport(globalThis.fetch);
  transports.push(transport);
  return transport;
}

function post(url: string, overrides: Partial<SubgraphPost> = {}): SubgraphPost {
  return { url, headers: { 'content-type': 'application/json' }, body: '{"query":"{ a }"}', timeoutMs: 5_000, maxResponseBytes: 1024 * 1024, ...overrides };
}

/** The reason the promise rejected with; fails the test when it resolved or rejected otherwise. */
async function reasonOf(promise: Promise<unknown>): Promise<SubgraphTransportError['reason']> {
  const error: unknown = await promise.then(
    (value) => {
      throw new Error(`expected a SubgraphTransportError, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(SubgraphTransportError);
  expect((error as Error).name).toBe('SubgraphTransportError');
  return (error as SubgraphTransportError).reason;
}

/** Headers sent, then one byte every 20 ms, forever (until the socket closes). */
function dripForever(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{');
  const timer = setInterval(() => res.write(' '), 20);
  res.on('close', () => clearInterval(timer));
  cleanups.push(() => clearInterval(timer));
}

/** Chunked (no content-length), 100-byte chunks, never-ending: only the size limit stops it. */
function growForever(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = 'x'.repeat(100);
  res.write(chunk);
  const timer = setInterval(() => res.write(chunk), 5);
  res.on('close', () => clearInterval(timer));
  cleanups.push(() => clearInterval(timer));
}

/** Chunked (no content-length), 10 chunks of 100 bytes, then the end. */
function chunked1000(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  for (let i = 0; i < 10; i++) res.write('y'.repeat(100));
  res.end();
}

/** Declares and sends a 1000-byte body. */
function declared1000(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
  res.end('z'.repeat(1000));
}

/** Declares 1,000,000 bytes, sends a few and then nothing: only the declared length can refuse it. */
function declaresHugeThenHangs(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000000' });
  res.write('{"data":');
}

describe('createPooledTransport', () => {
  it('sends a POST with the given headers, the exact body and its byte length, to the path and query of the URL', async () => {
    const subgraph = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":{"a":"ünïcødé ✓"}}');
    });
    // Multi-byte characters: content-length must count bytes, not UTF-16 units.
    const body = JSON.stringify({ query: '{ a }', variables: { name: 'Zoë 🚀' } });
    const reply = await pooled().post(
      post(`${subgraph.origin}/graphql/v1?tenant=a%20b&x=1`, {
        headers: { authorization: 'Bearer abc.def.ghi', 'content-type': 'application/json', 'x-request-id': 'req-1' },
        body,
      }),
    );

    expect(reply).toEqual({ status: 200, text: '{"data":{"a":"ünïcødé ✓"}}' });
    expect(subgraph.received).toHaveLength(1);
    const [received] = subgraph.received;
    expect(received!.method).toBe('POST');
    expect(received!.url).toBe('/graphql/v1?tenant=a%20b&x=1');
    expect(received!.headers['authorization']).toBe('Bearer abc.def.ghi');
    expect(received!.headers['content-type']).toBe('application/json');
    expect(received!.headers['x-request-id']).toBe('req-1');
    expect(received!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(Buffer.byteLength(body)).not.toBe(body.length);
    expect(received!.headers['transfer-encoding']).toBeUndefined();
    expect(received!.body.toString('utf8')).toBe(body);
  });

  it('returns the status and text of an error answer', async () => {
    const subgraph = await startServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal failure');
    });
    await expect(pooled().post(post(`${subgraph.origin}/graphql`))).resolves.toEqual({ status: 500, text: 'internal failure' });
  });

  it('returns an empty text for an empty body', async () => {
    const subgraph = await startServer((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    await expect(pooled().post(post(`${subgraph.origin}/graphql`))).resolves.toEqual({ status: 204, text: '' });
  });

  it('reuses one keep-alive connection for sequential posts to one origin', async () => {
    const subgraph = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":{}}');
    });
    const transport = pooled();
    for (let i = 0; i < 3; i++) {
      const reply = await transport.post(post(`${subgraph.origin}/graphql?i=${i}`, { body: `{"i":${i}}` }));
      expect(reply).toEqual({ status: 200, text: '{"data":{}}' });
      // undici hands a finished socket back to the pool one event-loop turn after the response.
      await nextTurn();
    }
    expect(subgraph.received.map((r) => r.url)).toEqual(['/graphql?i=0', '/graphql?i=1', '/graphql?i=2']);
    expect(subgraph.connections).toBe(1);
    expect(new Set(subgraph.received.map((r) => r.socket)).size).toBe(1);
  });

  it('reuses connections even for back-to-back posts', async () => {
    const subgraph = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":{}}');
    });
    const transport = pooled();
    for (let i = 0; i < 10; i++) await transport.post(post(`${subgraph.origin}/graphql`));
    expect(subgraph.received).toHaveLength(10);
    // Without a turn in between, undici's previous socket is not free yet and the pool opens a
    // second one; after that the two alternate. Without keep-alive there would be ten.
    expect(subgraph.connections).toBeLessThanOrEqual(2);
  });

  it('gives each origin connections of its own', async () => {
    const ok: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":{}}');
    };
    const first = await startServer(ok);
    const second = await startServer(ok);
    const transport = pooled();
    for (let i = 0; i < 2; i++) {
      await transport.post(post(`${first.origin}/graphql`));
      await nextTurn();
      await transport.post(post(`${second.origin}/graphql`));
      await nextTurn();
    }
    expect(first.received).toHaveLength(2);
    expect(second.received).toHaveLength(2);
    expect(first.connections).toBe(1);
    expect(second.connections).toBe(1);
  });

  it('times out on a server that never answers, and closes that connection', async () => {
    const subgraph = await startServer(() => {
      /* never answers */
    });
    await expect(reasonOf(pooled().post(post(`${subgraph.origin}/graphql`, { timeoutMs: 200 })))).resolves.toBe('timed-out');
    expect(subgraph.received).toHaveLength(1);
    // The aborted request's connection must not be kept: a late answer would arrive on it.
    await connectionClosed(subgraph, 0);
  });

  it('answers the next request normally after a timeout', async () => {
    let calls = 0;
    const subgraph = await startServer((_req, res) => {
      if (++calls === 1) return; // the first request hangs
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"data":{"call":${calls}}}`);
    });
    const transport = pooled();
    await expect(reasonOf(transport.post(post(`${subgraph.origin}/graphql`, { timeoutMs: 200 })))).resolves.toBe('timed-out');
    await expect(transport.post(post(`${subgraph.origin}/graphql`))).resolves.toEqual({ status: 200, text: '{"data":{"call":2}}' });
    expect(subgraph.received[1]!.socket).not.toBe(subgraph.received[0]!.socket);
  });

  it('times out on a server that sends headers and then drips the body without end', async () => {
    const subgraph = await startServer(dripForever);
    await expect(reasonOf(pooled().post(post(`${subgraph.origin}/graphql`, { timeoutMs: 200 })))).resolves.toBe('timed-out');
    await connectionClosed(subgraph, 0);
  });

  it('refuses a body whose declared content-length is above maxResponseBytes', async () => {
    const subgraph = await startServer(declared1000);
    await expect(reasonOf(pooled().post(post(`${subgraph.origin}/graphql`, { maxResponseBytes: 999 })))).resolves.toBe('too-large');
  });

  it('refuses on the declared content-length alone, without waiting for the body', async () => {
    const subgraph = await startServer(declaresHugeThenHangs);
    await expect(reasonOf(pooled().post(post(`${subgraph.origin}/graphql`, { maxResponseBytes: 1000, timeoutMs: 20_000 })))).resolves.toBe('too-large');
    await connectionClosed(subgraph, 0);
  });

  it('refuses a chunked body that grows past maxResponseBytes', async () => {
    const subgraph = await startServer(chunked1000);
    await expect(reasonOf(pooled().post(post(`${subgraph.origin}/graphql`, { maxResponseBytes: 999 })))).resolves.toBe('too-large');
  });

  it('refuses a never-ending chunked body by its size, before the deadline', async () => {
    const subgraph = await startServer(growForever);
    await expect(reasonOf(pooled().post(post(`${subgraph.origin}/graphql`, { maxResponseBytes: 1000, timeoutMs: 20_000 })))).resolves.toBe('too-large');
  });

  it('accepts a body of exactly maxResponseBytes, declared or chunked', async () => {
    const declared = await startServer(declared1000);
    const streamed = await startServer(chunked1000);
    const transport = pooled();
    await expect(transport.post(post(`${declared.origin}/graphql`, { maxResponseBytes: 1000 }))).resolves.toEqual({ status: 200, text: 'z'.repeat(1000) });
    await expect(transport.post(post(`${streamed.origin}/graphql`, { maxResponseBytes: 1000 }))).resolves.toEqual({ status: 200, text: 'y'.repeat(1000) });
  });

  it('reports a port with nothing listening as unreachable', async () => {
    const port = await freePort();
    await expect(reasonOf(pooled().post(post(`http://127.0.0.1:${port}/graphql`)))).resolves.toBe('unreachable');
  });

  it('reports a connection closed before any answer as unreachable', async () => {
    const subgraph = await startServer((req) => req.socket.destroy());
    await expect(reasonOf(pooled().post(post(`${subgraph.origin}/graphql`)))).resolves.toBe('unreachable');
  });

  it('ends its connections on close() and refuses posts after it as unreachable', async () => {
    const subgraph = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":{}}');
    });
    const transport = pooled();
    await transport.post(post(`${subgraph.origin}/graphql`));
    expect(subgraph.connections).toBe(1);
    await transport.close();
    await vi.waitFor(async () => expect(await openConnections(subgraph.server)).toBe(0), { timeout: 5_000, interval: 20 });

    await expect(reasonOf(transport.post(post(`${subgraph.origin}/graphql`)))).resolves.toBe('unreachable');
    expect(subgraph.received).toHaveLength(1);
    expect(subgraph.connections).toBe(1);
  });
});

describe('createFetchTransport(globalThis.fetch)', () => {
  it('sends the POST and returns status and text', async () => {
    const subgraph = await startServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    const body = '{"query":"{ a }","variables":{"n":"Zoë"}}';
    const reply = await viaFetch().post(post(`${subgraph.origin}/graphql?x=1`, { headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body }));
    expect(reply).toEqual({ status: 502, text: 'bad gateway' });
    const [received] = subgraph.received;
    expect(received!.method).toBe('POST');
    expect(received!.url).toBe('/graphql?x=1');
    expect(received!.headers['authorization']).toBe('Bearer t');
    expect(received!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(received!.body.toString('utf8')).toBe(body);
  });

  it('times out on a server that never answers', async () => {
    const subgraph = await startServer(() => {
      /* never answers */
    });
    await expect(reasonOf(viaFetch().post(post(`${subgraph.origin}/graphql`, { timeoutMs: 200 })))).resolves.toBe('timed-out');
  });

  it('times out on a server that drips the body without end', async () => {
    const subgraph = await startServer(dripForever);
    await expect(reasonOf(viaFetch().post(post(`${subgraph.origin}/graphql`, { timeoutMs: 200 })))).resolves.toBe('timed-out');
  });

  it('refuses a declared or chunked body above maxResponseBytes, and accepts exactly the limit', async () => {
    const declared = await startServer(declared1000);
    const streamed = await startServer(chunked1000);
    const endless = await startServer(growForever);
    const transport = viaFetch();
    await expect(reasonOf(transport.post(post(`${declared.origin}/graphql`, { maxResponseBytes: 999 })))).resolves.toBe('too-large');
    await expect(reasonOf(transport.post(post(`${streamed.origin}/graphql`, { maxResponseBytes: 999 })))).resolves.toBe('too-large');
    await expect(reasonOf(transport.post(post(`${endless.origin}/graphql`, { maxResponseBytes: 1000, timeoutMs: 20_000 })))).resolves.toBe('too-large');
    const hanging = await startServer(declaresHugeThenHangs);
    await expect(reasonOf(transport.post(post(`${hanging.origin}/graphql`, { maxResponseBytes: 1000, timeoutMs: 20_000 })))).resolves.toBe('too-large');
    await expect(transport.post(post(`${declared.origin}/graphql`, { maxResponseBytes: 1000 }))).resolves.toEqual({ status: 200, text: 'z'.repeat(1000) });
    await expect(transport.post(post(`${streamed.origin}/graphql`, { maxResponseBytes: 1000 }))).resolves.toEqual({ status: 200, text: 'y'.repeat(1000) });
  });

  it('reports a port with nothing listening as unreachable', async () => {
    const port = await freePort();
    await expect(reasonOf(viaFetch().post(post(`http://127.0.0.1:${port}/graphql`)))).resolves.toBe('unreachable');
  });
});

describe.each([
  { name: 'pooled transport', make: pooled },
  { name: 'fetch transport', make: viaFetch },
])('createSubgraphExecutor over the $name', ({ make }) => {
  const policy: SubgraphTokenPolicy = {
    subgraph: 'x',
    mode: 'none',
    audience: undefined,
    scope: undefined,
    exchange: undefined,
    clientAuthentication: undefined,
  };
  const document = parse('query Q { hello }');

  function newContext(): GatewayContext {
    return { principal: null, subgraphCalls: [], denied: [], requestId: 'r' };
  }

  async function run(subgraph: TestServer | string, options: { maxResponseBytes?: number; timeoutMs?: number } = {}, context = newContext()): Promise<ExecutionResult> {
    const url = typeof subgraph === 'string' ? subgraph : `${subgraph.origin}/graphql`;
    const executor = createSubgraphExecutor({ url, policy, exchanger: new TokenExchanger(), transport: make(), ...options });
    return (await executor({ document, context, operationName: 'Q', variables: { v: 1 } })) as ExecutionResult;
  }

  function unavailable(result: ExecutionResult): { message: string; extensions: unknown } {
    expect(result.data).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors!;
    return { message: error!.message, extensions: error!.extensions };
  }

  it('passes a GraphQL answer through, without an authorization header for token "none"', async () => {
    const subgraph = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/graphql-response+json' });
      res.end('{"data":{"hello":"world"}}');
    });
    const context = newContext();
    await expect(run(subgraph, {}, context)).resolves.toEqual({ data: { hello: 'world' } });
    expect(context.subgraphCalls).toEqual([{ subgraph: 'x', audience: undefined, tokenSource: 'none' }]);
    const [received] = subgraph.received;
    expect(received!.headers['authorization']).toBeUndefined();
    expect(received!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(received!.body.toString('utf8'))).toEqual({ query: 'query Q {\n  hello\n}', variables: { v: 1 }, operationName: 'Q' });
  });

  it.each([401, 403])('turns a %i answer into "refused the gateway\'s token"', async (status) => {
    const subgraph = await startServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{"errors":[{"message":"go away"}]}');
    });
    expect(unavailable(await run(subgraph))).toEqual({
      message: `Subgraph "x" refused the gateway's token (${status}).`,
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'x' },
    });
  });

  it('turns a 200 answer that is not a GraphQL response into an error', async () => {
    const subgraph = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login page</html>');
    });
    expect(unavailable(await run(subgraph))).toEqual({
      message: 'Subgraph "x" answered 200 without a GraphQL response.',
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'x' },
    });
  });

  it('turns JSON without data or errors into an error', async () => {
    const subgraph = await startServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"message":"upstream down"}');
    });
    expect(unavailable(await run(subgraph)).message).toBe('Subgraph "x" answered 502 without a GraphQL response.');
  });

  it('turns an oversized answer into "answered more than N bytes"', async () => {
    const declared = await startServer(declared1000);
    const streamed = await startServer(chunked1000);
    for (const subgraph of [declared, streamed]) {
      expect(unavailable(await run(subgraph, { maxResponseBytes: 500 }))).toEqual({
        message: 'Subgraph "x" answered more than 500 bytes.',
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'x' },
      });
    }
  });

  it('turns a timeout into "timed out"', async () => {
    const subgraph = await startServer(() => {
      /* never answers */
    });
    expect(unavailable(await run(subgraph, { timeoutMs: 200 }))).toEqual({
      message: 'Subgraph "x" timed out.',
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'x' },
    });
  });

  it('turns a port with nothing listening into "is unreachable"', async () => {
    const port = await freePort();
    expect(unavailable(await run(`http://127.0.0.1:${port}/graphql`))).toEqual({
      message: 'Subgraph "x" is unreachable.',
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'x' },
    });
  });

  it('refuses to call the subgraph without a gateway context', async () => {
    const subgraph = await startServer((_req, res) => res.end('{"data":{}}'));
    const executor = createSubgraphExecutor({ url: `${subgraph.origin}/graphql`, policy, exchanger: new TokenExchanger(), transport: make() });
    const result = (await executor({ document, context: {} })) as ExecutionResult;
    expect(unavailable(result)).toEqual({
      message: 'Subgraph "x" cannot be called outside a gateway request.',
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'x' },
    });
    expect(subgraph.received).toHaveLength(0);
  });
});
