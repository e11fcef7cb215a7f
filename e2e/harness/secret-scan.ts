import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fromRoot, loadRunTemplate } from '@lifeline/platform';

/** What a leaked secret looks like in a log line, whatever wrote it. */
export const SECRET_SHAPES: readonly { name: string; pattern: RegExp }[] = [
  // A JWT: base64url JSON header and payload (both start with {" -> eyJ), then a signature.
  { name: 'JWT', pattern: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { name: 'bearer credential', pattern: /\bBearer\s+[A-Za-z0-9._~+/-]{16,}/i },
  // scheme://user:password@host: a connection string that carries its password.
  { name: 'connection string with credentials', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/"'<>]*:[^\s@/"'<>]+@[^\s"'<>]+/i },
  // password=..., "secret":"...", api_token: ... (a masked or hidden value is fine).
  {
    name: 'secret assignment',
    // Not \b: DAPR_API_TOKEN's "_" is a word character, so the name is matched after any non-letter.
    pattern: /["']?(?<![a-z0-9])(?:password|passwd|pwd|secret|client_secret|api[_-]?key|api[_-]?token|access[_-]?token|refresh[_-]?token)(?![a-z0-9])["']?\s*[:=]\s*["']?(?!\*|\[redacted|\(value hidden|<)[^\s"',;}&]{6,}/i,
  },
  // A token or password in a query string (nginx's access log records the request line).
  { name: 'secret in a URL query', pattern: /[?&](?:token|access_token|password|secret|api_key)=[^&\s"]{6,}/i },
];

export interface SecretHit {
  file: string;
  line: number;
  kind: string;
  /** The line with the secret itself masked, safe to print. */
  excerpt: string;
}

function mask(text: string): string {
  return text.length <= 8 ? '*'.repeat(text.length) : `${text.slice(0, 4)}…${'*'.repeat(6)}`;
}

/** Scans text for the shapes above and for the exact values of `known` secrets. */
export function scanText(file: string, text: string, known: readonly string[] = []): SecretHit[] {
  const hits: SecretHit[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    for (const { name, pattern } of SECRET_SHAPES) {
      const m = pattern.exec(line);
      if (m) hits.push({ file, line: i + 1, kind: name, excerpt: line.replace(m[0], mask(m[0])).slice(0, 240) });
    }
    for (const secret of known) {
      if (secret.length >= 8 && line.includes(secret)) hits.push({ file, line: i + 1, kind: 'a configured secret value', excerpt: line.replaceAll(secret, mask(secret)).slice(0, 240) });
    }
  });
  return hits;
}

/** Every log our processes write: e2e apps and sidecars, `dapr run -f` (apps and daprd), the gateway. Not the infrastructure's own. */
export function runLogFiles(root = fromRoot()): string[] {
  const files: string[] = [];
  const add = (dir: string, filter: (name: string) => boolean = (n) => n.endsWith('.log')) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isFile() && filter(name)) files.push(file);
    }
  };
  add(path.join(root, '.run/logs/e2e'));
  add(path.join(root, '.run/logs'), (n) => ['dapr-run.log', 'gateway.log'].includes(n));
  add(path.join(root, '.run/gateway'));
  const apps = path.join(root, 'apps');
  for (const app of existsSync(apps) ? readdirSync(apps) : []) add(path.join(apps, app, '.dapr/logs'));
  return files;
}

/** The secrets the dev configuration itself names: its JWT secret and the apps' database passwords. */
export function knownDevSecrets(): string[] {
  const template = loadRunTemplate();
  const secrets = new Set<string>();
  if (template.commonEnv.JWT_SECRET) secrets.add(template.commonEnv.JWT_SECRET);
  for (const app of template.apps) {
    const url = app.env.DATABASE_URL;
    if (url) {
      const password = decodeURIComponent(new URL(url).password);
      if (password) secrets.add(password);
    }
  }
  const tokens = fromRoot('.run/dev-tokens.env');
  if (existsSync(tokens)) {
    for (const m of readFileSync(tokens, 'utf8').matchAll(/^[A-Z_]+=(.+)$/gm)) if (m[1]) secrets.add(m[1].trim());
  }
  return [...secrets];
}
