import { problemType } from '@lifeline/kit';
import { ALLOWED_METHODS } from './methods.ts';

/**
 * The answers nginx gives on its own (no route, a service that is down or slow, a request it cannot read)
 * as RFC 9457 problem documents shaped like the apps' (packages/kit/src/problem.ts): type, title, status,
 * detail, instance, plus `requestId`, the id the gateway assigns and sends to the app as X-Request-Id, so
 * a client can quote it to an operator. The apps' own answers never come through here: error_page only
 * replaces what nginx generates while proxy_intercept_errors is off (the default), so an app's 404 or 503
 * reaches the client byte for byte.
 */
export interface GatewayProblem {
  /** The status the client sees. */
  status: number;
  /** nginx's internal code when it is not the status sent (494 is "request header too large"). */
  nginxStatus?: number;
  slug: string;
  title: string;
  detail: string;
  headers?: Record<string, string>;
}

export interface GatewayLimits {
  /** client_max_body_size */
  maxBody: string;
  /** The size of one large_client_header_buffers buffer: the longest request line or header line. */
  headerBuffer: string;
  /** proxy_read_timeout of plain requests. */
  upstreamRead: string;
}

/** nginx's "1m" or "8k" as a person writes it in prose: "1 MB", "8 KB". */
function readableSize(value: string): string {
  const m = /^(\d+)([kKmMgG])$/.exec(value);
  return m?.[1] && m[2] ? `${m[1]} ${m[2].toUpperCase()}B` : value;
}

/** nginx's "30s" or "1m" as prose: "30 s", "1 min". */
function readableDuration(value: string): string {
  const units: Record<string, string> = { ms: 'ms', s: 's', m: 'min', h: 'h' };
  const m = /^(\d+)(ms|s|m|h)$/.exec(value);
  return m?.[1] && m[2] ? `${m[1]} ${units[m[2]]}` : value;
}

/**
 * Every status nginx produces in this config. Not here: 408 (on a client timeout nginx closes the
 * connection without an answer) and 411 (nginx reads chunked bodies and never asks for a length).
 * 403 is a CORS preflight from an origin that is not allowed (gateway/cors.ts). 429 and 503 come from no
 * directive today (the rate limits are the apps', packages/kit/src/rate-limit, and pass through as the
 * app wrote them); they are wired so a limit_req or limit_conn added later answers in the same language.
 */
export function gatewayProblems(limits: GatewayLimits): GatewayProblem[] {
  const maxBody = readableSize(limits.maxBody);
  const headerBuffer = readableSize(limits.headerBuffer);
  return [
    { status: 400, slug: 'bad-request', title: 'Bad Request', detail: 'The request is not valid HTTP (request line, headers or percent-encoding), so the gateway could not route it.' },
    {
      status: 403,
      slug: 'cors-origin-refused',
      title: 'Forbidden',
      detail: 'A browser on this Origin may not call the API: the gateway answers preflights only for the origins it is configured with.',
    },
    { status: 404, slug: 'route-not-found', title: 'Not Found', detail: 'No service is routed at this path; services live under /api/v1/<service>/.' },
    {
      status: 405,
      slug: 'method-not-allowed',
      title: 'Method Not Allowed',
      detail: `The gateway passes only ${ALLOWED_METHODS.join(', ')} on to the services.`,
      headers: { Allow: ALLOWED_METHODS.join(', ') },
    },
    { status: 413, slug: 'payload-too-large', title: 'Payload Too Large', detail: `The request body is larger than the gateway accepts (${maxBody}).` },
    { status: 414, slug: 'uri-too-long', title: 'URI Too Long', detail: `The request line is longer than the gateway accepts (${headerBuffer}).` },
    {
      status: 431,
      nginxStatus: 494,
      slug: 'request-header-fields-too-large',
      title: 'Request Header Fields Too Large',
      detail: `A request header is longer than the gateway accepts (${headerBuffer}), or all of them together are.`,
    },
    { status: 429, slug: 'too-many-requests', title: 'Too Many Requests', detail: 'Too many requests from this client; retry later.' },
    { status: 500, slug: 'internal', title: 'Internal Server Error', detail: 'The gateway failed while handling the request.' },
    { status: 501, slug: 'not-implemented', title: 'Not Implemented', detail: 'The request uses a Transfer-Encoding the gateway does not implement; send Content-Length or chunked.' },
    { status: 502, slug: 'bad-gateway', title: 'Bad Gateway', detail: 'The service behind this path is not reachable; retry later.' },
    { status: 503, slug: 'service-unavailable', title: 'Service Unavailable', detail: 'The gateway cannot serve this request now; retry later.' },
    { status: 504, slug: 'gateway-timeout', title: 'Gateway Timeout', detail: `The service behind this path did not answer within ${readableDuration(limits.upstreamRead)}.` },
    { status: 505, slug: 'http-version-not-supported', title: 'HTTP Version Not Supported', detail: 'The gateway speaks HTTP/1.0 and HTTP/1.1.' },
  ];
}

/** Internal locations the error pages are served from; a client asking for one directly gets the 404. */
export const PROBLEM_LOCATION_PREFIX = '/_gateway/problem/';

/**
 * $request_uri goes into the document as it came, but nginx can escape JSON only in log formats: a URI
 * with a quote, a backslash or a raw non-ASCII byte (none of which RFC 3986 allows unencoded) gets no
 * `instance` member rather than a broken document. Control characters and spaces nginx already refuses.
 */
const INSTANCE_MAP = `  map $request_uri $gateway_problem_instance {
    "~^[\\x21\\x23-\\x5b\\x5d-\\x7e]+$" ',"instance":"$request_uri"';
    default '';
  }`;

function problemBody(p: GatewayProblem): string {
  const head = JSON.stringify({ type: problemType(p.slug), title: p.title, status: p.status, detail: p.detail });
  const body = `${head.slice(0, -1)}$gateway_problem_instance,"requestId":"$request_id"}`;
  // The body is a single-quoted nginx string in which $ starts a variable.
  if (/['\\]/.test(body) || (body.match(/\$/g) ?? []).length !== 2) throw new Error(`problem text for ${p.status} cannot be written as an nginx string`);
  return body;
}

function problemLocation(p: GatewayProblem): string {
  const headers = { ...p.headers, 'Cache-Control': 'no-store', 'X-Request-Id': '$request_id' };
  const directives = [
    'internal;',
    ...Object.entries(headers).map(([name, value]) => `add_header ${name} "${value}" always;`),
    `return ${p.status} '${problemBody(p)}';`,
  ];
  return `
    location = ${PROBLEM_LOCATION_PREFIX}${p.status} {
${directives.map((d) => `      ${d}`).join('\n')}
    }`;
}

/** http-level directives the error pages need. */
export function renderProblemMaps(): string {
  return INSTANCE_MAP;
}

/**
 * Server-level error_page lines and their locations. A location that sets error_page of its own would
 * inherit none of these, so no other location sets one. The redirect goes to a URI, not a named
 * location: a request whose request line nginx could not parse has no URI, and nginx refuses to enter a
 * named location without one (it then sends its HTML 500).
 */
export function renderProblemPages(limits: GatewayLimits): string {
  const problems = gatewayProblems(limits);
  const pages = problems
    .map((p) => `    error_page ${p.nginxStatus ?? p.status} ${p.nginxStatus ? `=${p.status} ` : ''}${PROBLEM_LOCATION_PREFIX}${p.status};`)
    .join('\n');
  return `\n${pages}${problems.map(problemLocation).join('')}`;
}
