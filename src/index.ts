/**
 * meshgate's public API: everything else under src/ is internal and may change.
 *
 * @example
 * import { createGateway, listenGateway, loadConfigFile } from 'meshgate';
 * const config = loadConfigFile('meshgate.yaml');
 * const gateway = createGateway(config);
 * await listenGateway(gateway, { ...config.listen, maxBodyBytes: config.limits.maxBodyBytes });
 * await gateway.start();
 */
export { createGateway, GRAPHQL_PATH } from './server/create-gateway.js';
export type { Gateway, GatewayOptions } from './server/create-gateway.js';
export { listenGateway } from './server/listen-gateway.js';
export type { ListeningGateway, ListenOptions } from './server/listen-gateway.js';
export { loadConfigFile, parseConfig } from './config/load-config.js';
export type { ExchangeConfig, MeshgateConfig, MeshgateConfigInput, SubgraphConfig } from './config/config-schema.js';
export { createEntraVerifier } from './auth/entra-verifier.js';
export type { EntraVerifier, EntraVerifierOptions } from './auth/entra-verifier.js';
export type { Principal } from './auth/principal.js';
export { composeGraph } from './stitching/compose-graph.js';
export type { ComposedGraph, SubgraphInput } from './stitching/compose-graph.js';
export { authorizeGraph } from './authz/authorized-graph.js';
export type { AuthorizedGraph, AuthorizeGraphOptions } from './authz/authorized-graph.js';
export { createAuditSink, createMemoryAuditSink } from './observability/audit-sink.js';
export type { AuditEvent, AuditSink } from './observability/audit-sink.js';
export { createLogger } from './observability/logger.js';
export type { Logger } from './observability/logger.js';
export { AuthorizationRuleError, CompositionError, ConfigError, MeshgateError, PUBLIC_ERROR_CODES } from './errors.js';
export type { MeshgateErrorCode } from './errors.js';
/** The dev identity provider: for demos and tests, never for production traffic. */
export { startDevIdentityProvider, msalConfigForDevIdentityProvider } from './idp/index.js';
export type { DevIdentityProvider, DevIdentityProviderOptions, MintOptions } from './idp/index.js';
