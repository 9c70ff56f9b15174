// Starts the customers subgraph: PORT (4101), HOST (127.0.0.1), ISSUER, JWKS_URI, AUDIENCES.
import { DEMO_APPS } from '../../src/idp/demo-directory.js';
import { main } from '../shared/run-from-env.js';
import { createCustomersSubgraph } from './server.js';

main({
  name: 'customers',
  defaultPort: 4101,
  audiences: [DEMO_APPS.customers.clientId, DEMO_APPS.customers.appIdUri],
  create: createCustomersSubgraph,
});
