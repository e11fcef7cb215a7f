import { randomUUID, webcrypto, type KeyObject } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { createDaprClient } from './dapr-client.ts';
import { JWKS_ALGORITHMS, remoteJwks, type JwksKeys } from './jwks.ts';
import { HttpProblem, forbidden, sendProblem, serviceUnavailable } from './problem.ts';
import { RevocationUnavailableError, daprRevocations, type RevocationStore } from './revocations.ts';
import { VerifiedTokens } from './verified-tokens.ts';

export const ROLES = ['user', 'caregiver', 'compliance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface AuthContext {
  userId: string;
  roles: Role[];
  /** Person ids a caregiver acts for; empty for everyone else. */
  care: string[];
  /**
   * A service acting on its own initiative (recurring creating instances), not a person: events it causes
   * carry a system actor, so consumers do not treat them as something a caregiver did.
   */
  service?: boolean;
}

export interface AuthSettings {
  /** HS256 key of the services' own tokens (and of every token when no JWKS is configured). */
  JWT_SECRET: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  /**
   * The identity provider's key set. When set, a person's token must be RS256/ES256 under one of its keys;
   * HS256 is then accepted only for a service's own token (claim `svc`), minted with JWT_SECRET by our
   * apps for service invocation. Unset means the shared-secret mode of unit tests and old deployments.
   */
  JWT_JWKS_URL?: string | undefined;
  /** Check every token's `jti` against the denylist (revocations.ts) in this Dapr state store. */
  TOKEN_REVOCATION?: boolean | undefined;
  REVOCATION_STORE_NAME?: string | undefined;
  DAPR_HOST?: string | undefined;
  DAPR_HTTP_PORT?: number | undefined;
  DAPR_API_TOKEN?: string | undefined;
}

/** Parts that tests (and an app with its own JWKS or store) can hand in ready-made. */
export interface AuthParts {
  jwks?: JwksKeys;
  revocations?: RevocationStore;
}

const ALGORITHM = 'HS256';
const REALM = 'lifeline';
/** Clocks of issuer and service drift a little; more than this is a real expiry. */
export const CLOCK_TOLERANCE_SECONDS = 5;
/**
 * No token may live longer than this (exp - iat). An admin revokes a jti without seeing its token, so the
 * denylist entry lasts this long; the bound makes that enough for every token an app would accept.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

const claimsSchema = z.object({
  sub: z.string().min(1),
  // Unknown roles are ignored rather than fatal so a newer issuer can add roles without locking users out.
  roles: z
    .array(z.string())
    .default([])
    .transform((rs) => rs.filter((r): r is Role => (ROLES as readonly string[]).includes(r))),
  care: z.array(z.string().min(1)).optional().default([]),
  svc: z.boolean().optional().default(false),
});

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Imported once: jose would otherwise import the raw secret into WebCrypto on every verification. */
function verificationKey(secret: string): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('raw', keyOf(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
}

/** Distinct tokens remembered as verified; a client reuses its token for many requests until it expires. */
const VERIFIED_TOKENS_MAX = 10_000;

// A getter instead of a global Request augmentation: only code that asked for auth can read it.
const authByRequest = new WeakMap<Request, AuthContext>();

/** The verified caller of a route behind requireAuth. Calling it elsewhere is a programming error. */
export function getAuth(req: Request): AuthContext {
  const auth = authByRequest.get(req);
  if (!auth) throw new Error('getAuth() called on a request that did not pass requireAuth()');
  return auth;
}

function unauthenticated(detail: string, tokenPresent: boolean): HttpProblem {
  // RFC 6750 §3: no error attribute when the request carried no credentials at all.
  const challenge = tokenPresent
    ? `Bearer realm="${REALM}", error="invalid_token", error_description="${detail}"`
    : `Bearer realm="${REALM}"`;
  return new HttpProblem({
    status: 401,
    type: 'unauthorized',
    title: 'Unauthorized',
    detail,
    headers: { 'WWW-Authenticate': challenge },
  });
}

function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const m = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(header);
  return m?.[1] ?? '';
}

/** What a verified token says about itself, beyond who the caller is. */
export interface TokenFacts {
  jti?: string;
  /** Epoch seconds. */
  exp: number;
}

export interface Auth {
  /** Verifies a raw token; throws HttpProblem 401 when it is not acceptable (503 when the denylist cannot be read). */
  verify(token: string): Promise<AuthContext>;
  /** 401 without a valid token; 403 when roles are given and the caller has none of them. */
  requireAuth(roles?: readonly Role[]): RequestHandler;
  /** The jti and exp of the token a request behind requireAuth presented. */
  tokenFacts(req: Request): TokenFacts;
  /** undefined when this app does not check revocations (TOKEN_REVOCATION off). */
  readonly revocations: RevocationStore | undefined;
}

function revocationsFrom(settings: AuthSettings): RevocationStore | undefined {
  if (!settings.TOKEN_REVOCATION) return undefined;
  const dapr = createDaprClient({
    host: settings.DAPR_HOST ?? '127.0.0.1',
    httpPort: settings.DAPR_HTTP_PORT ?? 3500,
    apiToken: settings.DAPR_API_TOKEN,
    pubsubName: 'pubsub',
    stateStoreName: settings.REVOCATION_STORE_NAME ?? 'revocations',
    // The denylist sits on every authenticated request's path: a slow store must not hold it for long.
    timeoutMs: 2_000,
  });
  return daprRevocations(dapr, { storeName: settings.REVOCATION_STORE_NAME ?? 'revocations' });
}

export function createAuth(settings: AuthSettings, parts: AuthParts = {}): Auth {
  const key = verificationKey(settings.JWT_SECRET);
  const jwks = parts.jwks ?? (settings.JWT_JWKS_URL ? remoteJwks(settings.JWT_JWKS_URL) : undefined);
  const revocations = parts.revocations ?? revocationsFrom(settings);
  const verified = new VerifiedTokens(VERIFIED_TOKENS_MAX);
  // Kept beside the frozen caller rather than in it: routes see who, the revocation route also needs which token.
  const factsByAuth = new WeakMap<AuthContext, TokenFacts>();
  const factsByRequest = new WeakMap<Request, TokenFacts>();

  async function notRevoked(auth: AuthContext): Promise<AuthContext> {
    if (!revocations) return auth;
    const jti = factsByAuth.get(auth)?.jti;
    // verifySignature already refused a token without a jti while revocation is on.
    if (jti === undefined) throw unauthenticated('The token has no jti.', true);
    let revoked: boolean;
    try {
      revoked = await revocations.isRevoked(jti);
    } catch (err) {
      if (err instanceof RevocationUnavailableError) {
        throw serviceUnavailable('Token revocations cannot be checked right now.', { headers: { 'Retry-After': '1' }, cause: err });
      }
      throw err;
    }
    if (revoked) throw unauthenticated('The token has been revoked.', true);
    return auth;
  }

  async function verifySignature(token: string): Promise<JWTPayload> {
    const common = {
      issuer: settings.JWT_ISSUER,
      audience: settings.JWT_AUDIENCE,
      requiredClaims: ['exp', 'sub', ...(revocations ? ['jti'] : [])],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthenticated('The token is not valid.', true);
    }
    try {
      if (alg === ALGORITHM) {
        const { payload } = await jwtVerify(token, await key, { ...common, algorithms: [ALGORITHM] });
        // With an identity provider, the shared secret signs only what our own services mint for each other.
        if (jwks && payload['svc'] !== true) throw unauthenticated('The token is not signed by the identity provider.', true);
        return payload;
      }
      if (jwks && (JWKS_ALGORITHMS as readonly string[]).includes(alg ?? '')) {
        return (await jwtVerify(token, jwks, { ...common, algorithms: [...JWKS_ALGORITHMS] })).payload;
      }
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated('The token has expired.', true);
      // The key set could not be fetched (refused, timed out, not a JWKS): nothing is known about the token,
      // and the client should retry rather than log in again. Never accepted.
      if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid || !(err instanceof joseErrors.JOSEError)) {
        throw serviceUnavailable('The identity provider\'s keys cannot be fetched right now.', { headers: { 'Retry-After': '5' }, cause: err });
      }
      throw unauthenticated('The token is not valid.', true);
    }
    // `none`, PS256, EdDSA, HS512...: no key of this service is meant for them.
    throw unauthenticated('The token is not valid.', true);
  }

  async function verify(token: string): Promise<AuthContext> {
    const known = verified.get(token);
    if (known) return notRevoked(known);
    const payload = await verifySignature(token);
    const nowSeconds = Math.floor(Date.now() / 1000);
    // jose checks iat only against a maximum age; a token issued in the future is a skewed or forged clock.
    if (typeof payload.iat === 'number' && payload.iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) {
      throw unauthenticated('The token is issued in the future.', true);
    }
    const exp = payload.exp as number;
    if (exp - (typeof payload.iat === 'number' ? payload.iat : nowSeconds) > MAX_TOKEN_LIFETIME_SECONDS) {
      throw unauthenticated(`The token lives longer than ${MAX_TOKEN_LIFETIME_SECONDS} seconds.`, true);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw unauthenticated('The token claims are not valid.', true);
    // Frozen: the cache hands the same object to every request presenting this token.
    const auth: AuthContext = Object.freeze({
      userId: claims.data.sub,
      roles: Object.freeze(claims.data.roles) as Role[],
      care: Object.freeze(claims.data.care) as string[],
      ...(claims.data.svc ? { service: true } : {}),
    });
    factsByAuth.set(auth, { exp, ...(typeof payload.jti === 'string' ? { jti: payload.jti } : {}) });
    // requiredClaims guarantees a numeric exp; jose accepted it up to the tolerance, and so does the cache.
    verified.set(token, auth, (exp + CLOCK_TOLERANCE_SECONDS) * 1000);
    return notRevoked(auth);
  }

  function requireAuth(roles?: readonly Role[]): RequestHandler {
    return async (req, res, next) => {
      const token = bearerToken(req);
      if (token === undefined) {
        sendProblem(req, res, unauthenticated('A bearer token is required.', false));
        return;
      }
      if (token === '') {
        sendProblem(req, res, unauthenticated('The Authorization header is not a bearer token.', true));
        return;
      }
      let auth: AuthContext;
      try {
        auth = await verify(token);
      } catch (err) {
        if (err instanceof HttpProblem) {
          sendProblem(req, res, err);
          return;
        }
        throw err;
      }
      if (roles && roles.length > 0 && !auth.roles.some((r) => roles.includes(r))) {
        sendProblem(req, res, forbidden(`This action requires one of the roles: ${roles.join(', ')}.`));
        return;
      }
      authByRequest.set(req, auth);
      const facts = factsByAuth.get(auth);
      if (facts) factsByRequest.set(req, facts);
      next();
    };
  }

  function tokenFacts(req: Request): TokenFacts {
    const facts = factsByRequest.get(req);
    if (!facts) throw new Error('tokenFacts() called on a request that did not pass requireAuth()');
    return facts;
  }

  return { verify, requireAuth, tokenFacts, revocations };
}

/** May the caller act on this person's records: themselves, a caregiver caring for them, or an admin. */
export function canActFor(auth: AuthContext, personId: string): boolean {
  if (auth.userId === personId) return true;
  if (auth.roles.includes('admin')) return true;
  return auth.roles.includes('caregiver') && auth.care.includes(personId);
}

export interface TokenClaims {
  sub: string;
  roles: readonly Role[];
  care?: readonly string[];
  /** Marks a service's own token (claim `svc`); see AuthContext.service. */
  service?: boolean;
}

export interface SignOptions {
  issuer?: string;
  audience?: string;
  /** Lifetime from `now`; negative values mint an already expired token (tests). */
  expiresInSeconds?: number;
  /** Epoch milliseconds; defaults to the current time. */
  now?: number;
}

/** A private key of the identity provider's set (the dev key of scripts/dev.sh, a test's key). */
export interface SigningKey {
  alg: 'RS256' | 'ES256';
  kid: string;
  privateKey: webcrypto.CryptoKey | KeyObject;
}

/**
 * Mints a token the services accept: HS256 under the shared secret (a service's own token, tests), or
 * RS256/ES256 under a key of the JWKS (the dev-token CLI, e2e). Not a production login. Every token gets
 * a fresh jti, so it can be revoked on its own.
 */
export async function signToken(key: string | SigningKey, claims: TokenClaims, opts: SignOptions = {}): Promise<string> {
  const nowSeconds = Math.floor((opts.now ?? Date.now()) / 1000);
  const jwt = new SignJWT({ roles: [...claims.roles], ...(claims.care ? { care: [...claims.care] } : {}), ...(claims.service ? { svc: true } : {}) })
    .setProtectedHeader(typeof key === 'string' ? { alg: ALGORITHM, typ: 'JWT' } : { alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(opts.issuer ?? 'lifeline')
    .setAudience(opts.audience ?? 'lifeline-api')
    .setJti(randomUUID())
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + (opts.expiresInSeconds ?? 3600));
  return jwt.sign(typeof key === 'string' ? keyOf(key) : key.privateKey);
}
