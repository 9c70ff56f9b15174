// Starts the orders subgraph: PORT (4102), HOST (127.0.0.1), ISSUER, JWKS_URI, AUDIENCES.
import { DEMO_APPS } from '../../src/idp/demo-directory.js';
import { main } from '../shared/run-from-env.js';
import { createOrdersSubgraph } from './server.js';

main({
  name: 'orders',
  defaultPort: 4102,
  audiences: [DEMO_APPS.orders.clientId, DEMO_APPS.orders.appIdUri],
  create: createOrdersSubgraph,
});
