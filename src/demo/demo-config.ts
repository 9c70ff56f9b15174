import { DEMO_APPS } from '../idp/demo-directory.js';
import type { MeshgateConfigInput } from '../config/config-schema.js';

/** Where the demo's parts listen. */
export interface DemoEndpoints {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly subgraphs: { readonly customers: string; readonly orders: string; readonly knowledge: string };
  readonly listen: { readonly host: string; readonly port: number };
}

/** The query GraphiQL opens with in the demo: one customer across all three data products. */
export const DEMO_QUERY = /* GraphQL */ `# Welcome to meshgate. Press the run button (or Ctrl+Enter).
# Ada's token is in the Headers tab; paste the agent's header there to see fields denied.
query CustomerOverview {
  customer(id: "C-0001") {
    name
    segment
    email
    orders(first: 3) { number status total }
    documents(first: 3) { title classification }
  }
  search(query: "renewal risk", first: 2) { score snippet document { title } }
}
`;

/**
 * The gateway configuration of the demo, in the same format as a config file: the dev
 * identity provider as issuer and STS (Entra OBO), the three sample subgraphs, each with its
 * own audience. `npm start` and the end-to-end tests both use it.
 */
export function demoConfig(endpoints: DemoEndpoints, graphiqlHeaders?: Record<string, string>): MeshgateConfigInput {
  const { gateway, customers, orders, knowledge } = DEMO_APPS;
  return {
    listen: endpoints.listen,
    graphiql: graphiqlHeaders ? { defaultHeaders: graphiqlHeaders, defaultQuery: DEMO_QUERY } : true,
    auth: {
      issuers: [{ issuer: endpoints.issuer }],
      audiences: [gateway.appIdUri, gateway.clientId],
    },
    exchange: {
      grant: 'entra-obo',
      tokenEndpoint: endpoints.tokenEndpoint,
      clientId: gateway.clientId,
      clientSecret: gateway.clientSecret,
    },
    subgraphs: [
      { name: 'customers', url: endpoints.subgraphs.customers, audience: customers.appIdUri },
      { name: 'orders', url: endpoints.subgraphs.orders, audience: orders.appIdUri },
      { name: 'knowledge', url: endpoints.subgraphs.knowledge, audience: knowledge.appIdUri },
    ],
    audit: { sink: 'off' },
  };
}
