import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { SigningKey } from '@lifeline/kit';

/**
 * The development identity provider's key: an ES256 key pair generated once per machine into the cache
 * (never into the repo), whose public half the dev gateway serves as /.well-known/jwks.json and whose
 * private half `npm run token` signs with. Deleting the file rotates it (tokens signed before stop working).
 */
export function devKeyFile(): string {
  const cache = process.env.LIFELINE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'lifeline');
  return path.join(cache, 'dev-jwt', 'es256-private.jwk.json');
}

export interface PublicJwks {
  keys: JsonWebKey[];
}

export interface DevKey {
  signing: SigningKey;
  jwks: PublicJwks;
}

/** RFC 7638 thumbprint: a kid that changes exactly when the key does. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The key pair in a form the kit signs with and a JWKS that pins it to ES256. */
export function devKeyFrom(privateKey: KeyObject): DevKey {
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const kid = thumbprint(publicJwk);
  return {
    signing: { alg: 'ES256', kid, privateKey },
    jwks: { keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] },
  };
}

/** A fresh key in memory only (the e2e harness: one per run). */
export function generateDevKey(): DevKey {
  return devKeyFrom(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
}

export function loadOrCreateDevKey(file = devKeyFile()): DevKey {
  if (existsSync(file)) {
    return devKeyFrom(createPrivateKey({ key: JSON.parse(readFileSync(file, 'utf8')) as JsonWebKey, format: 'jwk' }));
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written aside and linked into place, which fails if the file exists: two commands creating the key at
  // once agree on the first one's key, and nobody reads a half-written file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(privateKey.export({ format: 'jwk' })), { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return loadOrCreateDevKey(file);
}
