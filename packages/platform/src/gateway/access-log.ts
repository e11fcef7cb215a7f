/**
 * The gateway's access log: one JSON object per request (nginx escapes every value for JSON), with the
 * request id the apps log too, the caller the app verified (X-Lifeline-User, which the kit sets and the
 * gateway logs and strips: nginx cannot judge a token itself), the path without its query (signed links
 * carry a token= there), the status and the upstream's time. Never the Authorization header.
 */
export const ACCESS_LOG_FORMAT = 'lifeline_json';
export const USER_ID_RESPONSE_HEADER = 'X-Lifeline-User';

/** The keys of one line, in order; the tests read lines back by these. */
export const ACCESS_LOG_FIELDS = ['time', 'requestId', 'client', 'userId', 'method', 'route', 'status', 'upstreamTime', 'requestTime', 'bytesSent', 'upstream'] as const;

/** `file`: where the lines go; the compose gateway swaps it for the container's stdout. */
export function renderAccessLogFormat(file: string): string {
  const values: Record<(typeof ACCESS_LOG_FIELDS)[number], string> = {
    time: '"$time_iso8601"',
    requestId: '"$request_id"',
    client: '"$remote_addr"',
    userId: '"$upstream_http_x_lifeline_user"',
    method: '"$request_method"',
    route: '"$gateway_log_path"',
    status: '$status',
    upstreamTime: '"$upstream_response_time"',
    requestTime: '$request_time',
    bytesSent: '$body_bytes_sent',
    upstream: '"$upstream_addr"',
  };
  const line = `{${ACCESS_LOG_FIELDS.map((k) => `"${k}":${values[k]}`).join(',')}}`;
  return `  map $request_uri $gateway_log_path { "~^(?<gateway_log_path_part>[^?]*)" $gateway_log_path_part; default ''; }
  log_format ${ACCESS_LOG_FORMAT} escape=json '${line}';
  access_log ${file} ${ACCESS_LOG_FORMAT};
  proxy_hide_header ${USER_ID_RESPONSE_HEADER};`;
}
