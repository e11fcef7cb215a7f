import type { RunTemplate } from './run-template.ts';

/**
 * Client paths that upgrade to a WebSocket, under /api/v1/<app id>. nginx forwards neither Upgrade nor
 * Connection unless told to, and its read timeout would cut a quiet socket, so each gets a location of
 * its own. Which path of an app speaks WebSocket is a fact about its routes, not about dapr.yaml: it is
 * written here, and rendered only while dapr.yaml lists the app.
 */
export const websocketRoutes: readonly { appId: string; path: string }[] = [{ appId: 'notification', path: '/ws' }];

/**
 * A socket stays open as long as its client does. The apps ping their sockets far more often than this,
 * so it only ends a connection whose peer vanished without closing it.
 */
export const WEBSOCKET_IDLE_TIMEOUT = '1h';

/** nginx drops every inherited proxy_set_header in a location that sets one, so both kinds list these. */
const forwardedHeaders = [
  'proxy_set_header Host $host;',
  'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
  'proxy_set_header X-Request-Id $request_id;',
];

function websocketLocation(appId: string, path: string): string {
  const directives = [
    'rewrite ^/api/v1/(.*)$ /$1 break;',
    `proxy_pass http://${appId};`,
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
export function renderGatewayConfig(template: RunTemplate, opts: { port: number; prefix: string }): string {
  const appIds = new Set(template.apps.map((app) => app.appId));
  const websockets = websocketRoutes
    .filter((route) => appIds.has(route.appId))
    .map((route) => websocketLocation(route.appId, route.path))
    .join('');
  const locations = template.apps
    .map(
      (app) => `
    location = /api/v1/${app.appId} { rewrite ^/api/v1/(.*)$ /$1 break; proxy_pass http://${app.appId}; }
    location /api/v1/${app.appId}/ { rewrite ^/api/v1/(.*)$ /$1 break; proxy_pass http://${app.appId}; }`,
    )
    .join('');
  const upstreams = template.apps
    .map((app) => `  upstream ${app.appId} { server 127.0.0.1:${app.appPort}; keepalive 32; }`)
    .join('\n');
  return `# Rendered from dapr.yaml by packages/platform/src/cli/render.ts (scripts/dev.sh); edit the renderer, not this file.
worker_processes 1;
pid ${opts.prefix}/nginx.pid;
error_log ${opts.prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log ${opts.prefix}/access.log;
  client_body_temp_path ${opts.prefix}/tmp/body;
  proxy_temp_path ${opts.prefix}/tmp/proxy;
  fastcgi_temp_path ${opts.prefix}/tmp/fastcgi;
  uwsgi_temp_path ${opts.prefix}/tmp/uwsgi;
  scgi_temp_path ${opts.prefix}/tmp/scgi;
  # Matches the apps' JSON body limit, so an oversize body gets the same 413 at the edge.
  client_max_body_size 1m;
  proxy_http_version 1.1;
  # Plain requests reuse the upstream keepalive connections (no Connection header); a WebSocket
  # handshake passes "upgrade" on.
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  proxy_set_header Connection "";
${forwardedHeaders.map((d) => `  ${d}`).join('\n')}
  proxy_connect_timeout 2s;
  proxy_read_timeout 30s;
${upstreams}
  server {
    listen 127.0.0.1:${opts.port};
    location = /healthz { return 204; }${websockets}${locations}
    location / {
      default_type application/problem+json;
      return 404 '{"type":"https://lifeline.dev/problems/route-not-found","title":"Not Found","status":404,"detail":"No service is routed at this path; services live under /api/v1/<service>/"}';
    }
  }
}
`;
}
