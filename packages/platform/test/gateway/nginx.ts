// A real nginx on loopback for the gateway tests, and a raw HTTP/1.1 client for requests that fetch()
// refuses to send (a lowercase method, a missing Host, an HTTP/2.0 request line, raw quotes in a path).
import { spawnSync } from 'node:child_process';
import net from 'node:net';

/** The `skip` option of a suite that needs nginx. */
export const nginxMissing = spawnSync('nginx', ['-v']).error ? 'nginx is not installed (scripts/install/system.sh installs it)' : false;

export { freePort, startNginx, type RunningNginx } from '../../src/index.ts';

export interface RawResponse {
  status: number;
  /** Lowercased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Every header line as sent, to count repeats. */
  headerLines: [string, string][];
  body: string;
}

/**
 * Sends `request` as bytes on a fresh connection and reads one response: until Content-Length bytes of
 * body arrived, or until nginx closes the connection.
 */
export function rawRequest(port: number, raw: string | Buffer, timeoutMs = 5000): Promise<RawResponse> {
  const request = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let data = Buffer.alloc(0);
    let settled = false;
    const settle = (response: RawResponse | undefined, err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (response) resolve(response);
      else reject(err);
    };
    const got = () => data.toString('latin1');
    // The answer to HEAD names a Content-Length but carries no body.
    const head = request.subarray(0, 5).toString() === 'HEAD ';
    const timer = setTimeout(() => settle(undefined, new Error(`no complete response within ${timeoutMs} ms; got:\n${got()}`)), timeoutMs);
    const attempt = (closed: boolean) => {
      try {
        const response = parseResponse(data, closed, head);
        if (response || closed) settle(response, new Error(`connection closed without a complete response; got:\n${got()}`));
      } catch (err) {
        settle(undefined, err as Error);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      attempt(false);
    });
    // nginx may reset a connection whose request body it did not read; what arrived before still counts.
    const closed = () => attempt(true);
    socket.on('error', closed);
    socket.on('close', closed);
  });
}

/** A complete response in `data`, or undefined while bytes are missing (closed: the body ends here). */
function parseResponse(data: Buffer, closed: boolean, head: boolean): RawResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  if (!status) throw new Error(`not an HTTP response: ${statusLine}`);
  const headerLines = lines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of headerLines) headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  const body = data.subarray(end + 4);
  const length = head ? 0 : headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  if (length === undefined ? !closed : body.length < length) return undefined;
  return { status: Number(status), headers, headerLines, body: body.subarray(0, length).toString('utf8') };
}
