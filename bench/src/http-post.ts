import http from 'node:http';

/**
 * A JSON POST sender on node:http with kept-alive sockets. The load generator shares the machine with the
 * platform it measures, and fetch (undici) spends about twice the CPU per request, which the services would
 * then be measured without.
 */
export function jsonPoster(target: string, headers: Record<string, string>, body: unknown, maxSockets = 512) {
  const url = new URL(target);
  const payload = Buffer.from(JSON.stringify(body));
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const allHeaders = { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length) };
  const post = () =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: allHeaders }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  return { post, close: () => agent.destroy() };
}

export interface JsonAnswer {
  status: number;
  body: string;
}

/**
 * Like jsonPoster, but every request carries its own body and headers (each person's own fixes and token), and
 * the answer's body is kept so the caller can check what was accepted.
 */
export function jsonClient(origin: string, maxSockets = 512) {
  const url = new URL(origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    new Promise<JsonAnswer>((resolve, reject) => {
      const payload = Buffer.from(JSON.stringify(body));
      const allHeaders = { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length) };
      const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname.replace(/\/$/, '') + path, method: 'POST', headers: allHeaders }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  return { post, close: () => agent.destroy() };
}
