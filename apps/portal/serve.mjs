// Serves the built portal (what `next start` does) and exits when the process that started it goes away
// (its stdin closes), so a killed `gexbert start` never leaves the portal running.
// Usage: node serve.mjs <port> <host>   (NODE_ENV=production; GEXBERT_PORTAL_* settings in the environment)
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';

const port = Number(process.argv[2]);
const hostname = process.argv[3] ?? '127.0.0.1';
const app = next({ dev: false, dir: path.dirname(fileURLToPath(import.meta.url)), hostname, port });
const handle = app.getRequestHandler();
await app.prepare();
const server = http.createServer((req, res) => handle(req, res));
const stop = () => server.close(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
server.listen(port, hostname, () => console.log(`portal ready on http://${hostname}:${port}`));
