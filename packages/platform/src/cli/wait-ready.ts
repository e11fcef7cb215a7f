// Waits until every app in dapr.yaml answers /health/ready (its sidecar and database reachable).
import { loadRunTemplate } from '../run-template.ts';

const timeoutMs = Number(process.argv[2] ?? 120) * 1000;
const deadline = Date.now() + timeoutMs;
const started = Date.now();
for (const app of loadRunTemplate().apps) {
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${app.appPort}/health/ready`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) {
      console.log(`    ${app.appId} ready after ${((Date.now() - started) / 1000).toFixed(1)}s`);
      break;
    }
    if (Date.now() > deadline) {
      console.error(`${app.appId} not ready after ${timeoutMs / 1000}s: see .run/logs/dapr-run.log and apps/${app.appId}/.dapr/logs`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
