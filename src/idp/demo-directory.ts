/**
 * The demo tenant's directory: the app registrations and people that the dev identity
 * provider knows, shaped like an Entra tenant. `npm start` and the tests use it as is; the
 * GUIDs are fixed so that printed tokens and configs are stable between runs.
 *
 * Nothing here is a secret of any real system: the client secrets only open the dev provider.
 */

import type { JWK } from 'jose';

/** An app registration: a client (it can authenticate) and/or a resource (it has an audience). */
export interface DevApp {
  /** Entra "Application (client) ID": v2 tokens for this resource carry it as `aud`. */
  readonly clientId: string;
  readonly displayName: string;
  /** Entra "Application ID URI": `<uri>/.default` is how clients ask for this resource. */
  readonly appIdUri?: string;
  /** Client secret for `client_secret_post` / `client_secret_basic`; absent for resources only. */
  readonly clientSecret?: string;
  /** Delegated permissions this resource exposes (what may appear in `scp`). */
  readonly exposedScopes?: readonly string[];
  /**
   * App roles granted to this client, per resource (keyed by the resource's clientId): what a
   * client-credentials token of this client for that resource carries in `roles`.
   */
  readonly appRoleGrants?: Readonly<Record<string, readonly string[]>>;
  /**
   * Public keys of the client's certificates, for `private_key_jwt` client authentication.
   * A key is matched by the assertion header's `kid`, `x5t` or `x5t#S256` against the same
   * member of the JWK; an assertion header without any of them is tried against every key.
   */
  readonly clientCertificateKeys?: readonly JWK[];
  /**
   * Version of the access tokens issued for this resource (Entra's
   * `accessTokenAcceptedVersion`). Default `'2.0'` (unlike Entra, where an unset value means v1).
   */
  readonly accessTokenVersion?: '1.0' | '2.0';
}

/** A person of the tenant. */
export interface DevUser {
  readonly oid: string;
  readonly name: string;
  readonly preferredUsername: string;
}

export const DEMO_TENANT_ID = '7a3c1e52-4b0f-4d7e-9a61-0c2f5e8d9b13';

/** Every delegated scope of the demo graph. */
export const DEMO_SCOPES = [
  'Customers.Read',
  'Customers.PII.Read',
  'Orders.Read',
  'Knowledge.Read',
  'Knowledge.Read.Confidential',
] as const;

/** The few roles an AI agent of the demo holds. */
export const DEMO_AGENT_ROLES = ['Customers.Read', 'Knowledge.Read'] as const;

const CUSTOMERS_ID = '3f0b7c1e-6a0d-4a63-8f52-1d7c4e9b2a01';
const ORDERS_ID = '3f0b7c1e-6a0d-4a63-8f52-1d7c4e9b2a02';
const KNOWLEDGE_ID = '3f0b7c1e-6a0d-4a63-8f52-1d7c4e9b2a03';
const GATEWAY_ID = '9b1d6e44-2c7a-4f1e-b3d8-5a0e7c6f1d10';
const AGENT_ID = 'c4e8a2f0-7b3d-4e19-a6c5-8d2f0b9e3a20';
const GRAPHIQL_ID = 'a7c3e9f1-5d2b-4e8a-b1f6-3c9d0e2a4b30';

export const DEMO_APPS = {
  /** The gateway: a resource callers get tokens for, and a client of the subgraph APIs. */
  gateway: {
    clientId: GATEWAY_ID,
    displayName: 'meshgate',
    appIdUri: 'api://meshgate',
    clientSecret: 'dev-gateway-secret',
    exposedScopes: DEMO_SCOPES,
    appRoleGrants: {
      // The gateway's own client-credentials tokens: to read `_sdl` and to serve app callers.
      [CUSTOMERS_ID]: ['Customers.Read'],
      [ORDERS_ID]: ['Orders.Read'],
      [KNOWLEDGE_ID]: ['Knowledge.Read'],
    },
  },
  /** An AI agent calling the gateway with an app-only token. */
  agent: {
    clientId: AGENT_ID,
    displayName: 'Retrieval agent',
    clientSecret: 'dev-agent-secret',
    appRoleGrants: { [GATEWAY_ID]: DEMO_AGENT_ROLES },
  },
  /**
   * GraphiQL, a public client (no secret): people's tokens for the gateway are issued to it,
   * so their `azp` names the app the person used.
   */
  graphiql: {
    clientId: GRAPHIQL_ID,
    displayName: 'meshgate GraphiQL',
  },
  customers: {
    clientId: CUSTOMERS_ID,
    displayName: 'Customers data product',
    appIdUri: 'api://customers',
    exposedScopes: ['Customers.Read', 'Customers.PII.Read'],
  },
  orders: {
    clientId: ORDERS_ID,
    displayName: 'Orders data product',
    appIdUri: 'api://orders',
    exposedScopes: ['Orders.Read'],
  },
  knowledge: {
    clientId: KNOWLEDGE_ID,
    displayName: 'Knowledge data product',
    appIdUri: 'api://knowledge',
    exposedScopes: ['Knowledge.Read', 'Knowledge.Read.Confidential'],
  },
} as const satisfies Record<string, DevApp>;

export const DEMO_USERS = {
  ada: { oid: 'e2b7d9c1-0f4a-4c3e-9d2b-6a8f1e0c5b31', name: 'Ada Lovelace', preferredUsername: 'ada@meshgate.dev' },
  alan: { oid: 'e2b7d9c1-0f4a-4c3e-9d2b-6a8f1e0c5b32', name: 'Alan Turing', preferredUsername: 'alan@meshgate.dev' },
} as const satisfies Record<string, DevUser>;
