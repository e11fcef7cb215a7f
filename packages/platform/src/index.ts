export { fromRoot, repoRoot } from './repo-root.ts';
export { adminDatabaseUrl, loadStackEnv, type StackEnv } from './stack-env.ts';
export {
  appById,
  brokers,
  componentsDir,
  loadRunTemplate,
  resourcesFor,
  type AppDefinition,
  type Broker,
  type RunTemplate,
} from './run-template.ts';
export { appDatabases, appDatabaseUrl, appDbPassword, migrateAll, type AppDatabase } from './migrate-all.ts';
export {
  PARKED_TOPIC,
  declaredSubscriptions,
  provisionRabbitMq,
  rabbitTopology,
  type RabbitTopology,
} from './broker-topology.ts';
export { provisionBroker } from './provision.ts';
export { WEBSOCKET_IDLE_TIMEOUT, renderGatewayConfig, websocketRoutes } from './gateway-config.ts';
export { freePort, startNginx, type RunningNginx } from './nginx-process.ts';
export { renderRunFile } from './run-file.ts';
export { devKeyFile, devKeyFrom, generateDevKey, loadOrCreateDevKey, type DevKey, type PublicJwks } from './dev-jwt-key.ts';
