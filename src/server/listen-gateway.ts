import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway } from './create-gateway.js';

/** A gateway listening on a port. */
export interface ListeningGateway {
  /** e.g. http://127.0.0.1:4000 */
  readonly url: string;
  readonly server: Server;
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then closes sockets. */
  close(graceMs?: number): Promise<void>;
}

/** Options of `listenGateway`. */
export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  /** Largest request body accepted; larger ones get 413 without being read. */
  readonly maxBodyBytes: number;
  /** Largest header block; the bearer token lives there. */
  readonly maxHeaderBytes?: number;
}

/**
 * Serves the gateway over HTTP/1.1 on `host:port` (port 0: the OS chooses). Bodies are bounded
 * here, before yoga reads them: a declared Content-Length over the limit is refused at once,
 * and a chunked body is cut off as soon as it passes the limit.
 */
export async function listenGateway(gateway: Gateway, options: ListenOptions): Promise<ListeningGateway> {
  const handler = gateway.handle;
  const server = createServer(
    // Repeated headers are joined with ", " instead of Node keeping only the first: two
    // Authorization headers then read as two tokens and are refused, on every path.
    { maxHeaderSize: options.maxHeaderBytes ?? 32 * 1024, requestTimeout: 60_000, joinDuplicateHeaders: true }, (req, res) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > options.maxBodyBytes) return tooLarge(res, options.maxBodyBytes);
    if (req.headers['transfer-encoding']) {
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > options.maxBodyBytes && !res.headersSent) {
          tooLarge(res, options.maxBodyBytes);
          req.destroy();
        }
      });
    }
    handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    server,
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

function tooLarge(res: ServerResponse, limit: number): void {
  res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify({ errors: [{ message: `Request body is larger than ${limit} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }));
}
