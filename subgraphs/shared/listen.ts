import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Subgraph } from './types.js';

export interface ListenOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: the OS picks a free port. */
  port?: number;
}

export interface ListeningSubgraph {
  /** `http://127.0.0.1:PORT/graphql` */
  readonly url: string;
  /** Stops listening and drops open (keep-alive) connections. Does not close the database. */
  close(): Promise<void>;
}

/**
 * Serves a subgraph over HTTP on loopback.
 *
 * @example
 * const { url, close } = await listenSubgraph(createOrdersSubgraph({ auth }), { port: 0 });
 */
export function listenSubgraph(subgraph: Subgraph, options: ListenOptions = {}): Promise<ListeningSubgraph> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const server = createServer(subgraph.yoga);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${urlHost}:${address.port}/graphql`,
        close: () =>
          (closing ??= new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            // Without this, close() waits for idle keep-alive sockets to time out.
            server.closeAllConnections();
          })),
      });
    });
  });
}
