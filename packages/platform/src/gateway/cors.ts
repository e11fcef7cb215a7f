import { ALLOWED_METHODS } from './methods.ts';
import { PROBLEM_LOCATION_PREFIX } from './problems.ts';

/**
 * CORS at the gateway: a browser page on an allowed origin may call the API with a bearer token; a
 * preflight from any other origin is refused (403 cors-origin-refused) and nothing else it sends gets an
 * Access-Control-Allow-Origin, so the browser keeps the answer from the page. No cookies carry
 * credentials here (bearer tokens only), so Allow-Credentials is never sent. The chart's ingress gets
 * the same lists (charts/lifeline values ingress.cors).
 */
export interface CorsOptions {
  /** Exact origins, e.g. https://app.example.org; none means no browser origin may call the API. */
  origins: readonly string[];
  /** How long a browser may cache a preflight answer, in seconds. */
  maxAgeSeconds?: number;
}

/** A web client on Vite's default dev port; deployments set GATEWAY_CORS_ORIGINS. */
export const DEFAULT_CORS_ORIGINS = ['http://localhost:5173'];
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'If-None-Match', 'X-Request-Id'];
/** What a page may read beyond the CORS-safelisted headers: the limits, the versions, the request id. */
export const CORS_EXPOSED_HEADERS = ['ETag', 'Location', 'Retry-After', 'RateLimit', 'RateLimit-Policy', 'X-Request-Id', 'Idempotent-Replayed'];
export const CORS_MAX_AGE_SECONDS = 600;

const ORIGIN = /^https?:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/;

/** GATEWAY_CORS_ORIGINS: comma-separated origins; unset gives the dev default, empty gives none. */
export function corsFromEnv(env: Record<string, string | undefined> = process.env): CorsOptions {
  const raw = env.GATEWAY_CORS_ORIGINS;
  if (raw === undefined) return { origins: DEFAULT_CORS_ORIGINS };
  return { origins: raw.split(',').map((o) => o.trim()).filter((o) => o !== '') };
}

function checked(origins: readonly string[]): readonly string[] {
  // Written into nginx.conf as map keys: anything but a plain origin could change the config.
  for (const origin of origins) if (!ORIGIN.test(origin)) throw new Error(`CORS origin "${origin}" is not scheme://host[:port] in lower case`);
  return origins;
}

/** http-level maps: the allowed origin (or ''), whether this is a preflight, and what to answer it. */
export function renderCorsMaps(cors: CorsOptions): string {
  const origins = checked(cors.origins).map((o) => `    "${o}" $http_origin;`).join('\n');
  const maxAge = cors.maxAgeSeconds ?? CORS_MAX_AGE_SECONDS;
  return `  map $http_origin $gateway_cors_origin {
    default '';
${origins}
  }
  map "$request_method:$http_access_control_request_method" $gateway_cors_preflight { default 0; "~^OPTIONS:." 1; }
  map "$gateway_cors_preflight:$gateway_cors_origin" $gateway_cors_answer { default ''; "1:" refuse; "~^1:." allow; }
  map $gateway_cors_answer $gateway_cors_allow_methods { default ''; allow "${ALLOWED_METHODS.join(', ')}"; }
  map $gateway_cors_answer $gateway_cors_allow_headers { default ''; allow "${CORS_ALLOWED_HEADERS.join(', ')}"; }
  map $gateway_cors_answer $gateway_cors_max_age { default ''; allow ${maxAge}; }
  map "$gateway_cors_preflight:$gateway_cors_origin" $gateway_cors_expose { default ''; "~^0:." "${CORS_EXPOSED_HEADERS.join(', ')}"; }`;
}

/**
 * Server-level: a preflight is answered here (204 or 403) and never reaches an app. The refusal goes
 * to the 403 problem page by rewrite, not `return 403`: the maps are cached per request, so after
 * error_page's redirect the same `if` would refuse again and nginx would fall back to its HTML page.
 * The headers go on
 * every answer of an allowed origin (empty values add nothing). The problem pages set headers of their
 * own, so nginx's own errors carry no CORS headers.
 */
export function renderCorsServer(): string {
  return `
    if ($gateway_cors_answer = refuse) { rewrite ^ ${PROBLEM_LOCATION_PREFIX}403 last; }
    if ($gateway_cors_answer = allow) { return 204; }
    add_header Access-Control-Allow-Origin $gateway_cors_origin always;
    add_header Access-Control-Allow-Methods $gateway_cors_allow_methods always;
    add_header Access-Control-Allow-Headers $gateway_cors_allow_headers always;
    add_header Access-Control-Max-Age $gateway_cors_max_age always;
    add_header Access-Control-Expose-Headers $gateway_cors_expose always;
    add_header Vary Origin always;`;
}
