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
