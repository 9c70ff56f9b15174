import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A node request listener (yoga instances are one). */
export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Listens on 127.0.0.1 with an OS-chosen port and routes by path prefix. Keep-alive is long
 * so that neither the load generator nor a gateway's connection pool has to reconnect.
 */
export async function listenHttp(routes: Readonly<Record<string, RequestListener>>): Promise<{ origin: string; server: Server }> {
  const prefixes = Object.keys(routes).sort((a, b) => b.length - a.length);
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    const prefix = prefixes.find((p) => path.startsWith(p));
    if (prefix === undefined) {
      response.writeHead(404).end();
      return;
    }
    routes[prefix]!(request, response);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, server };
}
