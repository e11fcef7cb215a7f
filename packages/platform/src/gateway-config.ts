import { renderCacheControlHeader, renderCacheControlMaps } from './gateway/cache-control.ts';
import { renderAccessLogFormat } from './gateway/access-log.ts';
import { corsFromEnv, renderCorsMaps, renderCorsServer, type CorsOptions } from './gateway/cors.ts';
import { renderMethodGuard } from './gateway/methods.ts';
import { renderProblemMaps, renderProblemPages, type GatewayLimits } from './gateway/problems.ts';
import type { RunTemplate } from './run-template.ts';

/**
 * Client paths that upgrade to a WebSocket, under /api/v1/<app id>. nginx forwards neither Upgrade nor
 * Connection unless told to, and its read timeout would cut a quiet socket, so each gets a location of
 * its own. Which path of an app speaks WebSocket is a fact about its routes, not about dapr.yaml: it is
 * written here, and rendered only while dapr.yaml lists the app.
 */
export const websocketRoutes: readonly { appId: string; path: string }[] = [{ appId: 'notification', path: '/ws' }];

/**
 * Apps whose public routes live under another name than their app id: the emergency app (app id
 * `emergency`, one service among the others) answers /emergencies/..., the resource name its API uses.
 * The gateway routes /api/v1/<prefix>/... to that app as it routes /api/v1/<app id>/...; this map is the
 * only place the pairing is written.
 */
export const publicPrefixes: Readonly<Record<string, string>> = { emergency: 'emergencies' };

/**
 * A socket stays open as long as its client does. The apps ping their sockets far more often than this,
 * so it only ends a connection whose peer vanished without closing it.
 */
export const WEBSOCKET_IDLE_TIMEOUT = '1h';

/**
 * The dev identity provider's public keys (dev-jwt-key.ts), written under the gateway's prefix by render.ts.
 * A folder of its own, so compose can mount it (docker/gateway/jwks) without hiding the prefix's temp files.
 */
export const JWKS_PATH = '/.well-known/jwks.json';
export const JWKS_FILE = 'jwks/jwks.json';

/**
 * Logout (kit revocation-routes.ts): the denylist is shared, so one app answers for all; tasks carries it.
 * /api/v1/auth/revoke reaches tasks at /auth/revoke.
 */
export const REVOKE_ROUTE = { path: '/auth/revoke', appId: 'tasks' } as const;

export interface GatewayTimeouts {
  upstreamConnect: string;
  /** Between two reads of a plain request's answer; the WebSocket routes wait WEBSOCKET_IDLE_TIMEOUT. */
  upstreamRead: string;
}

export const DEFAULT_GATEWAY_TIMEOUTS: GatewayTimeouts = { upstreamConnect: '2s', upstreamRead: '30s' };

/** Matches the apps' JSON body limit, so an oversize body gets the same 413 at the edge. */
export const GATEWAY_MAX_BODY = '1m';
/** nginx's default size of one large header buffer (4 of them), written out so the 414/431 details can name it. */
export const GATEWAY_HEADER_BUFFER = '8k';

export interface GatewayOptions {
  port: number;
  prefix: string;
  /** Tests shorten them to see a 504 without waiting 30 s. */
  timeouts?: Partial<GatewayTimeouts>;
  /** Allowed browser origins; GATEWAY_CORS_ORIGINS (or the dev default) when absent. */
  cors?: CorsOptions;
}

/**
 * A client must send its headers within this and keep a body or a read of the answer moving within
 * GATEWAY_CLIENT_TIMEOUT: the apps' own limits (kit REQUEST_TIMEOUT_MS, 10 s for headers), so a slow
 * client is cut at the edge before it holds an upstream connection.
 */
export const GATEWAY_CLIENT_HEADER_TIMEOUT = '10s';
export const GATEWAY_CLIENT_TIMEOUT = '30s';

/** nginx drops every inherited proxy_set_header in a location that sets one, so both kinds list these. */
const forwardedHeaders = [
  'proxy_set_header Host $host;',
  'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
  // The peer's address, replacing whatever a client sent: the kit counts token-less requests by it.
  'proxy_set_header X-Real-IP $remote_addr;',
  'proxy_set_header X-Request-Id $request_id;',
];

/**
 * The request as the client wrote it, less /api/v1. A rewrite of $uri would work on the decoded path: a
 * %2F inside an id became a path separator (a 404 from the app instead of its 400), and a %0A made the
 * rewrite not match at all. Passed as written, the app decodes and judges the path itself. nginx still
 * chose the location from the normalized path.
 */
const UPSTREAM_URI_MAP = `  map $request_uri $gateway_upstream_uri { "~^/api/v1(?<gateway_app_uri>/.*)$" $gateway_app_uri; default $request_uri; }`;

const proxyTo = (appId: string): string => `proxy_pass http://${appId}$gateway_upstream_uri;`;

function websocketLocation(appId: string, path: string): string {
  const directives = [
    proxyTo(appId),
    'proxy_set_header Upgrade $http_upgrade;',
    'proxy_set_header Connection $connection_upgrade;',
    ...forwardedHeaders,
    `proxy_read_timeout ${WEBSOCKET_IDLE_TIMEOUT};`,
    `proxy_send_timeout ${WEBSOCKET_IDLE_TIMEOUT};`,
  ];
  return `
    location = /api/v1/${appId}${path} {
${directives.map((d) => `      ${d}`).join('\n')}
    }`;
}

/**
 * nginx in front of every app: /api/v1/<app id>/... reaches that app at /<app id>/..., so each app keeps
 * its public routes under its own name and the gateway needs no per-route knowledge beyond the WebSocket
 * paths. App ids and ports come from dapr.yaml, the only place they are written.
 */
export function renderGatewayConfig(template: RunTemplate, opts: GatewayOptions): string {
  const timeouts = { ...DEFAULT_GATEWAY_TIMEOUTS, ...opts.timeouts };
  const limits: GatewayLimits = { maxBody: GATEWAY_MAX_BODY, headerBuffer: GATEWAY_HEADER_BUFFER, upstreamRead: timeouts.upstreamRead };
  const appIds = new Set(template.apps.map((app) => app.appId));
  const websockets = websocketRoutes
    .filter((route) => appIds.has(route.appId))
    .map((route) => websocketLocation(route.appId, route.path))
    .join('');
  const locations = template.apps
    .flatMap((app) => [app.appId, ...(publicPrefixes[app.appId] === undefined ? [] : [publicPrefixes[app.appId]])].map((prefix) => `
    location = /api/v1/${prefix} { ${proxyTo(app.appId)} }
    location /api/v1/${prefix}/ { ${proxyTo(app.appId)} }`))
    .join('');
  const revoke = appIds.has(REVOKE_ROUTE.appId) ? `
    location = /api/v1${REVOKE_ROUTE.path} { ${proxyTo(REVOKE_ROUTE.appId)} }` : '';
  // Served from the file, with a short cache: apps refetch it on an unknown kid (a rotated dev key).
  const jwks = `
    location = ${JWKS_PATH} { default_type application/json; add_header Cache-Control "max-age=60" always; alias ${opts.prefix}/${JWKS_FILE}; }`;
  const upstreams = template.apps
    .map((app) => `  upstream ${app.appId} { server 127.0.0.1:${app.appPort}; keepalive 32; }`)
    .join('\n');
  return `# Rendered from dapr.yaml by packages/platform/src/cli/render.ts (scripts/dev.sh); edit the renderer, not this file.
worker_processes 1;
pid ${opts.prefix}/nginx.pid;
error_log ${opts.prefix}/error.log warn;
events { worker_connections 1024; }
http {
  client_body_temp_path ${opts.prefix}/tmp/body;
  proxy_temp_path ${opts.prefix}/tmp/proxy;
  fastcgi_temp_path ${opts.prefix}/tmp/fastcgi;
  uwsgi_temp_path ${opts.prefix}/tmp/uwsgi;
  scgi_temp_path ${opts.prefix}/tmp/scgi;
  server_tokens off;
  # Whatever nginx answers itself is a problem document; an empty types map keeps a path ending in .html
  # from turning one into text/html. Proxied answers keep the app's Content-Type.
  types { }
  default_type application/problem+json;
  client_max_body_size ${GATEWAY_MAX_BODY};
  large_client_header_buffers 4 ${GATEWAY_HEADER_BUFFER};
  client_header_timeout ${GATEWAY_CLIENT_HEADER_TIMEOUT};
  client_body_timeout ${GATEWAY_CLIENT_TIMEOUT};
  send_timeout ${GATEWAY_CLIENT_TIMEOUT};
  # Over a future limit_req / limit_conn a client is told to slow down (429), not that the service is down.
  limit_req_status 429;
  limit_conn_status 429;
  proxy_http_version 1.1;
  # Plain requests reuse the upstream keepalive connections (no Connection header); a WebSocket
  # handshake passes "upgrade" on.
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
${UPSTREAM_URI_MAP}
${renderProblemMaps()}
${renderCacheControlMaps()}
${renderAccessLogFormat(`${opts.prefix}/access.log`)}
${renderCorsMaps(opts.cors ?? corsFromEnv())}
  proxy_set_header Connection "";
${forwardedHeaders.map((d) => `  ${d}`).join('\n')}
  proxy_connect_timeout ${timeouts.upstreamConnect};
  proxy_read_timeout ${timeouts.upstreamRead};
  proxy_send_timeout ${timeouts.upstreamRead};
${upstreams}
  server {
    listen 127.0.0.1:${opts.port};${renderMethodGuard()}${renderCorsServer()}${renderCacheControlHeader()}${renderProblemPages(limits)}
    location = /healthz { return 204; }${jwks}${revoke}${websockets}${locations}
    location / { return 404; }
  }
}
`;
}
