/**
 * Cache-Control on answers to requests that carry an Authorization header: no-store, unless the app
 * set a Cache-Control of its own, which the gateway leaves alone (audit's export already says no-store;
 * an app that wants revalidation can send "private, no-cache"). An authenticated answer is one person's
 * data (tasks, locations, emergencies) and no shared or browser cache may keep it. The ETags that tasks
 * and recurring send do not need a cache: they serve If-Match concurrency and conditional GETs a client
 * makes with a tag it remembered itself, and both keep working under no-store.
 * `always` covers the apps' 4xx/5xx answers too; an empty value adds no header.
 */
export function renderCacheControlMaps(): string {
  return `  map $http_authorization $gateway_authenticated_cache_control { '' ''; default 'no-store'; }
  map $upstream_http_cache_control $gateway_cache_control { '' $gateway_authenticated_cache_control; default ''; }`;
}

/**
 * Server-level, so every proxying location inherits it (nginx drops inherited add_header in a location
 * that sets one; only the error pages do, and they say no-store themselves).
 */
export function renderCacheControlHeader(): string {
  return `
    add_header Cache-Control $gateway_cache_control always;`;
}
