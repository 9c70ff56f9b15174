import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { MeshgateConfigInput } from '../../src/config/config-schema.js';
import { demoConfig } from '../../src/demo/demo-config.js';
import { DEMO_APPS, DEMO_SCOPES, startDevIdentityProvider, type DevIdentityProvider } from '../../src/idp/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMemoryRegistryAuditSink } from '../../src/registry/registry-audit.js';
import { createGateway, GRAPHQL_PATH, type Gateway } from '../../src/server/create-gateway.js';
import { listenGateway, type ListeningGateway } from '../../src/server/listen-gateway.js';
import { createCustomersSubgraph } from '../../subgraphs/customers/server.js';
import { createKnowledgeSubgraph } from '../../subgraphs/knowledge/server.js';
import { createOrdersSubgraph } from '../../subgraphs/orders/server.js';
import { listenSubgraph } from '../../subgraphs/shared/listen.js';
import { INVENTORY_APP, INVENTORY_TEAM_APP, SHELF_APPS, startInventorySubgraph, type InventorySubgraph } from './inventory-subgraph.js';

/** A group of people that owns a registration through the `groups` claim. */
export const INVENTORY_GROUP_ID = '0f4c2a7e-9b1d-4e3a-8c5f-6d7e8f9a0b1c';

/** A gateway running on a registry store. */
export interface RunningGateway {
  readonly gateway: Gateway;
  readonly server: ListeningGateway;
  readonly url: string;
  readonly graphqlUrl: string;
  readonly audit: ReturnType<typeof createMemoryRegistryAuditSink>;
  close(): Promise<void>;
}

/**
 * The real parts: the dev identity provider (its directory holding the demo apps plus the
 * inventory data product, its team's CI app and the shelf products, so every audience is a
 * real resource the gateway gets real tokens for), the three sample subgraphs, the inventory
 * subgraph (not registered yet), and gateways on a registry store in a fresh directory.
 */
export interface Testbed {
  readonly idp: DevIdentityProvider;
  readonly inventory: InventorySubgraph;
  readonly urls: { readonly customers: string; readonly orders: string; readonly knowledge: string };
  readonly storePath: string;
  readonly tokens: {
    /** An app with the Meshgate.Admin role. */
    readonly admin: string;
    /** The inventory team's CI app: no role, owner of the inventory registration. */
    readonly owner: string;
    /** An agent app with data roles but no admin role and no registration. */
    readonly stranger: string;
    /** A person in the inventory group (groups claim), without admin role. */
    readonly groupMember: string;
    /** A person with every demo scope and Inventory.Read: reads the whole graph. */
    readonly reader: string;
  };
  /** Starts a gateway on the store (a second call after `close` is a restart). */
  startGateway(config?: Partial<MeshgateConfigInput>): Promise<RunningGateway>;
  close(): Promise<void>;
}

export async function startTestbed(): Promise<Testbed> {
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const idp = await startDevIdentityProvider({ apps: [...Object.values(DEMO_APPS), INVENTORY_APP, INVENTORY_TEAM_APP, ...SHELF_APPS] });
    closers.push(() => idp.close());
    const auth = { issuer: idp.issuer, jwksUri: idp.jwksUri };
    const make = { customers: createCustomersSubgraph, orders: createOrdersSubgraph, knowledge: createKnowledgeSubgraph };
    const urls = {} as Record<'customers' | 'orders' | 'knowledge', string>;
    for (const name of ['customers', 'orders', 'knowledge'] as const) {
      const app = DEMO_APPS[name];
      const subgraph = make[name]({ auth: { ...auth, audiences: [app.clientId, app.appIdUri] } });
      closers.push(() => subgraph.close());
      const listening = await listenSubgraph(subgraph, { port: 0 });
      closers.push(() => listening.close());
      urls[name] = listening.url;
    }
    const inventory = await startInventorySubgraph(auth);
    closers.push(() => inventory.close());
    const dir = mkdtempSync(join(tmpdir(), 'meshgate-registry-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const storePath = join(dir, 'data', 'registry.json');
    const tokens = {
      admin: await idp.mint({ kind: 'app', roles: ['Meshgate.Admin'] }),
      owner: await idp.mint({ kind: 'app', clientId: INVENTORY_TEAM_APP.clientId, roles: [] }),
      stranger: await idp.mint({ kind: 'app', roles: ['Customers.Read', 'Knowledge.Read'] }),
      groupMember: await idp.mint({ kind: 'user', user: 'alan@meshgate.dev', scopes: ['Customers.Read'], claims: { groups: [INVENTORY_GROUP_ID] } }),
      reader: await idp.mint({ kind: 'user', scopes: [...DEMO_SCOPES, 'Inventory.Read'] }),
    };
    const startGateway = async (overrides: Partial<MeshgateConfigInput> = {}): Promise<RunningGateway> => {
      const config = parseConfig({
        ...demoConfig({ issuer: idp.issuer, tokenEndpoint: idp.tokenEndpoint, subgraphs: urls, listen: { host: '127.0.0.1', port: 0 } }),
        registry: { path: storePath, refreshInterval: 0 },
        ...overrides,
      });
      const audit = createMemoryRegistryAuditSink();
      const gateway = createGateway(config, { logger: createLogger('silent'), registryAuditSink: audit });
      const server = await listenGateway(gateway, { ...config.listen, maxBodyBytes: config.limits.maxBodyBytes });
      const stop = async () => {
        await server.close(1000);
        await gateway.close();
      };
      try {
        await gateway.start();
      } catch (error) {
        await stop();
        throw error;
      }
      closers.push(stop);
      return { gateway, server, url: server.url, graphqlUrl: `${server.url}${GRAPHQL_PATH}`, audit, close: stop };
    };
    return { idp, inventory, urls, storePath, tokens, startGateway, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface ChangeJson {
  kind: string;
  type: string;
  coordinate?: string;
  message: string;
  shared?: boolean;
}

/** The admin API's JSON, loosely typed: tests assert it whole. */
export interface AdminJson {
  error?: { code: string; message: string; reasons: string[]; changes?: ChangeJson[] };
  version?: number;
  updatedAt?: string;
  dryRun?: boolean;
  forced?: boolean;
  subgraph?: Record<string, unknown> | null;
  subgraphs?: Record<string, unknown>[];
  changes?: ChangeJson[];
  graph?: { subgraphs: string[]; types: number; rootFields: number; rules: number };
  [key: string]: unknown;
}

/** An answer of the admin API. */
export interface AdminAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: AdminJson;
}

/** Calls the admin API over real HTTP. */
export async function admin(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<AdminAnswer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined || options.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.raw !== undefined ? { body: options.raw } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let body: AdminJson;
  try {
    body = JSON.parse(text) as AdminJson;
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** The inventory registration the tests send. */
export function inventoryRegistration(testbed: Testbed, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { url: testbed.inventory.url, audience: INVENTORY_APP.appIdUri, owner: INVENTORY_TEAM_APP.clientId, ...extra };
}

/** A query over customers, orders and (once registered) inventory. */
export const CUSTOMER_QUERY = /* GraphQL */ `
  query Customer {
    customer(id: "C-0001") { id name orders(first: 1) { number } }
  }
`;

export const INVENTORY_QUERY = /* GraphQL */ `
  query Inventory {
    products { sku name stock }
    customer(id: "C-0001") { id name favouriteProduct { sku name } }
  }
`;

/** What INVENTORY_QUERY answers once inventory is served (C-0001's favourite is P-200). */
export const INVENTORY_DATA = {
  products: [
    { sku: 'P-100', name: 'Ledger paper', stock: 1200 },
    { sku: 'P-200', name: 'Fountain pen', stock: 85 },
    { sku: 'P-300', name: 'Brass compass', stock: 12 },
  ],
  customer: { id: 'C-0001', name: expect.any(String), favouriteProduct: { sku: 'P-200', name: 'Fountain pen' } },
};
