// Starts the knowledge subgraph: PORT (4103), HOST (127.0.0.1), ISSUER, JWKS_URI, AUDIENCES.
import { DEMO_APPS } from '../../src/idp/demo-directory.js';
import { main } from '../shared/run-from-env.js';
import { createKnowledgeSubgraph } from './server.js';

main({
  name: 'knowledge',
  defaultPort: 4103,
  audiences: [DEMO_APPS.knowledge.clientId, DEMO_APPS.knowledge.appIdUri],
  create: createKnowledgeSubgraph,
});
