export { ConfigError, baseConfigSchema, configOrExit, envBool, envInt, isSecretName, loadConfig } from './config.ts';
export type { BaseConfig } from './config.ts';

export {
  HttpProblem,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  badRequest,
  conflict,
  forbidden,
  internalError,
  isHttpProblem,
  notFound,
  payloadTooLarge,
  preconditionFailed,
  problemType,
  sendProblem,
  serviceUnavailable,
  unauthorized,
  unprocessable,
  unsupportedMediaType,
} from './problem.ts';
export type { HttpProblemInit, ProblemDocument, ProblemOptions } from './problem.ts';
export { errorMiddleware, notFoundHandler, toProblem, validationProblem } from './error-middleware.ts';
export type { ValidationIssue } from './error-middleware.ts';

export { LOG_LEVELS, createLogger } from './logger.ts';
export type { LogLevel, Logger, LoggerOptions } from './logger.ts';
export {
  contextMiddleware,
  currentContext,
  currentTraceparent,
  formatTraceparent,
  parseTraceparent,
  withEventContext,
} from './context.ts';
export type { ParsedTraceparent, RequestContext } from './context.ts';

export { createMetrics, httpMetricsMiddleware, metricsHandler } from './metrics.ts';
export type { EventOutcome, Metrics, MetricsOptions } from './metrics.ts';

export { DEFAULT_CHECK_TIMEOUT_MS, evaluateReadiness, healthRouter } from './health.ts';
export type { CheckResult, ReadinessCheck } from './health.ts';
export { Lifecycle } from './lifecycle.ts';

export { CLOCK_TOLERANCE_SECONDS, MAX_TOKEN_LIFETIME_SECONDS, ROLES, canActFor, createAuth, getAuth, signToken } from './auth.ts';
export type { Auth, AuthContext, AuthParts, AuthSettings, Role, SignOptions, SigningKey, TokenClaims, TokenFacts } from './auth.ts';
export { JWKS_ALGORITHMS, remoteJwks } from './jwks.ts';
export type { JwksKeys, JwksOptions } from './jwks.ts';
export { RevocationUnavailableError, daprRevocations } from './revocations.ts';
export type { RevocationOptions, RevocationStore } from './revocations.ts';
export { revocationRoutes } from './revocation-routes.ts';
export { CALLER_APP_ID_HEADER, INVOCATION_GRANTS, invocationAccess, invocationAllowed } from './invocation-access.ts';
export type { InvocationGrant } from './invocation-access.ts';
export { APP_TOKEN_HEADER, appTokenCheck, tokensEqual } from './app-token.ts';

export {
  DaprClient,
  DaprError,
  StateConflictError,
  createDaprClient,
  daprClientFromConfig,
  sidecarReadinessCheck,
} from './dapr-client.ts';
export type {
  Concurrency,
  Consistency,
  DaprClientOptions,
  BindingResult,
  BulkPublishEntry,
  BulkPublishResult,
  DeleteStateOptions,
  InvokeOptions,
  InvokeResult,
  PublishOptions,
  SaveStateOptions,
  StateEntry,
} from './dapr-client.ts';

export { parseCloudEvent } from './cloudevent.ts';
export type { CloudEvent } from './cloudevent.ts';
export { BULK_BODY_LIMIT, DEFAULT_BULK, createSubscriptions, topicRoute } from './subscriptions.ts';
export type {
  BindingHandlerContext,
  BulkAnswer,
  BulkEntry,
  BulkHandler,
  BulkHandlerContext,
  BulkOptions,
  DaprSubscription,
  EventHandler,
  EventHandlerContext,
  EventSchema,
  InputBinding,
  Outcome,
  RawBulkSubscription,
  RawSubscription,
  Subscriptions,
  SubscriptionsOptions,
  TypedBulkSubscription,
  TypedSubscription,
} from './subscriptions.ts';
export { daprKeyStore, keyStoreGuard, memoryKeyStore, stateStoreGuard } from './idempotency.ts';
export type { GuardOptions, IdempotencyGuard, KeyStore } from './idempotency.ts';

export { JSON_BODY_LIMIT, JSON_BODY_TYPES, createServiceApp, finalize, getLifecycle, jsonBodyParser } from './create-app.ts';
export type { ServiceAppOptions } from './create-app.ts';
export { requireJsonBody } from './require-json.ts';
export { entityTag, noneMatchHits, optionalVersion, parseIfMatch, requireVersion, requiredVersion } from './preconditions.ts';
export type { VersionCondition } from './preconditions.ts';
export { createCursorCodec } from './page-cursor.ts';
export type { CursorCodec, CursorCodecOptions } from './page-cursor.ts';
export { createSignedLinks } from './signed-link.ts';
export { EMERGENCY_ACK_LINK_PURPOSE, createEmergencyAckLinks } from './emergency-ack-link.ts';
export type { AckLinkCheck, EmergencyAckLinks } from './emergency-ack-link.ts';
export type { LinkCheck, LinkClaims, SignedLinkOptions, SignedLinks, VerifiedLink } from './signed-link.ts';
export { uuidV5 } from './uuid.ts';
export { runService, startServer } from './server.ts';
export type { RunServiceOptions, RunningServer } from './server.ts';
export {
  COMMON_PROBLEMS,
  JSON_CONTENT,
  OPENAPI_VERSION,
  PROBLEM_CONTENT,
  componentSchemas,
  entityTagHeader,
  entityTagListSchema,
  headerParameter,
  inlineSchema,
  openApiDocument,
  pathParameters,
  problemCatalog,
  problemResponse,
  problemSchema,
  queryParameters,
  responses,
  schemaRef,
  serveOpenApi,
  shapeParameters,
  stripDocumentKeys,
} from './openapi.ts';
export type { JsonSchema, OpenApiDocumentOptions, SchemaIo } from './openapi.ts';
export { IDEMPOTENT_REPLAYED_HEADER, canonicalJson, idempotencyKeyHeader, idempotencyKeyOf, requestHash } from './idempotency-key.ts';
export { answerUnknownMethods } from './method-not-allowed.ts';
export {
  DEFAULT_RATE_POLICIES,
  RATE_LIMIT_GROUPS,
  USER_ID_HEADER,
  callerMiddleware,
  clientAddress,
  createRateLimits,
  isRateLimited,
  limitRequest,
  parseRatePolicy,
  policiesFrom,
  rateLimitHeader,
  rateLimitPolicyHeader,
  trustedProxies,
} from './rate-limit/index.ts';
export type { RateLimitDecision, RateLimitGroup, RateLimitSettings, RateLimits, RateLimitsOptions, RatePolicies, RatePolicy } from './rate-limit/index.ts';
