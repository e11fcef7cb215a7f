import type { RunTemplate } from './run-template.ts';

/**
 * nginx in front of every app: /api/v1/<app id>/... reaches that app at /<app id>/..., so each app keeps
 * its public routes under its own name and the gateway needs no per-route knowledge. App ids and ports
 * come from dapr.yaml, the only place they are written.
 */
export function renderGatewayConfig(template: RunTemplate, opts: { port: number; prefix: string }): string {
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
  return `# Rendered from dapr.yaml by packages/platform (npm run gateway:config); edit the renderer, not this file.
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
  proxy_set_header Connection "";
  proxy_set_header Host $host;
  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
  proxy_set_header X-Request-Id $request_id;
  proxy_connect_timeout 2s;
  proxy_read_timeout 30s;
${upstreams}
  server {
    listen 127.0.0.1:${opts.port};
    location = /healthz { return 204; }${locations}
    location / {
      default_type application/problem+json;
      return 404 '{"type":"https://lifeline.dev/problems/route-not-found","title":"Not Found","status":404,"detail":"No service is routed at this path; services live under /api/v1/<service>/"}';
    }
  }
}
`;
}
