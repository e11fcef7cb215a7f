// The trivial handler of the bare HTTP ceiling: reads the request body to its end and answers a small JSON
// document, on keep-alive connections. Run as its own process (node --import tsx trivial-server.ts <port>), so
// it competes for CPU like an app does instead of sharing the load generator's event loop.
import http from 'node:http';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: trivial-server.ts <port>');
const answer = Buffer.from('{"accepted":1,"duplicates":0,"crossings":[]}');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    res.end(answer);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.send?.('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
