import type { MeshgateConfigInput } from '../config/config-schema.js';
import { parseConfig } from '../config/load-config.js';
import { DEMO_AGENT_ROLES, DEMO_APPS, DEMO_SCOPES, DEMO_USERS } from '../idp/demo-directory.js';
import { startDevIdentityProvider, type DevIdentityProvider } from '../idp/index.js';
import type { Logger } from '../observability/logger.js';
import type { AuditSink } from '../observability/audit-sink.js';
import { createGateway, GRAPHQL_PATH, type Gateway } from '../server/create-gateway.js';
import { listenGateway, type ListeningGateway } from '../server/listen-gateway.js';
import { createCustomersSubgraph } from '../../subgraphs/customers/server.js';
import { createKnowledgeSubgraph } from '../../subgraphs/knowledge/server.js';
import { createOrdersSubgraph } from '../../subgraphs/orders/server.js';
import { listenSubgraph } from '../../subgraphs/shared/listen.js';
import type { Subgraph, SubgraphOptions } from '../../subgraphs/shared/types.js';
import { demoConfig } from './demo-config.js';

/** Options of `startDemo`. Ports default to the documented ones; 0 lets the OS choose. */
export interface DemoOptions {
  readonly host?: string;
  readonly gatewayPort?: number;
  readonly idpPort?: number;
  readonly subgraphPorts?: { customers: number; orders: number; knowledge: number };
  readonly logger?: Logger;
  readonly auditSink?: AuditSink;
  /** Extra yoga plugins per subgraph (tests record what each subgraph received). */
  readonly subgraphPlugins?: Partial<Record<'customers' | 'orders' | 'knowledge', SubgraphOptions['plugins']>>;
  /** Changes the gateway configuration before it is parsed (tests try other settings). */
  readonly configure?: (config: MeshgateConfigInput) => MeshgateConfigInput;
}

/** The running demo: every part, and the tokens printed for people to paste. */
export interface Demo {
  readonly idp: DevIdentityProvider;
  readonly gateway: Gateway;
  readonly server: ListeningGateway;
  readonly graphqlUrl: string;
  readonly subgraphs: Record<'customers' | 'orders' | 'knowledge', { readonly url: string; readonly subgraph: Subgraph; stop(): Promise<void> }>;
  readonly tokens: { readonly person: string; readonly agent: string };
  close(): Promise<void>;
}

export const DEMO_PORTS = { gateway: 4000, idp: 4100, customers: 4101, orders: 4102, knowledge: 4103 } as const;

/**
 * Starts the whole demo on loopback: the dev identity provider, the three sample data-product
 * subgraphs (each accepting only tokens of its own audience) and the gateway, with GraphiQL
 * opening on a person's token. Everything started is closed again by `close()`, and by
 * this function itself if a later part fails to start.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const host = options.host ?? '127.0.0.1';
  const ports = options.subgraphPorts ?? DEMO_PORTS;
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const idp = await startDevIdentityProvider({ host, port: options.idpPort ?? DEMO_PORTS.idp });
    closers.push(() => idp.close());
    const make = { customers: createCustomersSubgraph, orders: createOrdersSubgraph, knowledge: createKnowledgeSubgraph };
    const subgraphs = {} as Demo['subgraphs'];
    for (const name of ['customers', 'orders', 'knowledge'] as const) {
      const app = DEMO_APPS[name];
      const subgraph = make[name]({
        auth: { issuer: idp.issuer, jwksUri: idp.jwksUri, audiences: [app.clientId, app.appIdUri] },
        ...(options.subgraphPlugins?.[name] ? { plugins: options.subgraphPlugins[name] } : {}),
      });
      closers.push(() => subgraph.close());
      const listening = await listenSubgraph(subgraph, { host, port: ports[name] });
      closers.push(() => listening.close());
      subgraphs[name] = { url: listening.url, subgraph, stop: () => listening.close() };
    }
    const person = await idp.mint({ kind: 'user', user: DEMO_USERS.ada.preferredUsername, scopes: DEMO_SCOPES, lifetimeSeconds: 8 * 3600 });
    const agent = await idp.mint({ kind: 'app', clientId: DEMO_APPS.agent.clientId, roles: DEMO_AGENT_ROLES, lifetimeSeconds: 8 * 3600 });
    const configure = options.configure ?? ((config: MeshgateConfigInput) => config);
    const config = parseConfig(
      configure(demoConfig(
        {
          issuer: idp.issuer,
          tokenEndpoint: idp.tokenEndpoint,
          subgraphs: { customers: subgraphs.customers.url, orders: subgraphs.orders.url, knowledge: subgraphs.knowledge.url },
          listen: { host, port: options.gatewayPort ?? DEMO_PORTS.gateway },
        },
        { Authorization: `Bearer ${person}` },
      )),
    );
    const gateway = createGateway(config, {
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.auditSink ? { auditSink: options.auditSink } : {}),
    });
    const server = await listenGateway(gateway, { ...config.listen, maxBodyBytes: config.limits.maxBodyBytes });
    closers.push(() => server.close(1000));
    closers.push(() => gateway.close());
    await gateway.start();
    return { idp, gateway, server, graphqlUrl: `${server.url}${GRAPHQL_PATH}`, subgraphs, tokens: { person, agent }, close };
  } catch (error) {
    await close();
    throw error;
  }
}
