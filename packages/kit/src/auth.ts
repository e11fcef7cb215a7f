import { webcrypto } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { HttpProblem, forbidden, sendProblem } from './problem.ts';
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
  JWT_SECRET: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}

const ALGORITHM = 'HS256';
const REALM = 'lifeline';
/** Clocks of issuer and service drift a little; more than this is a real expiry. */
const CLOCK_TOLERANCE_SECONDS = 5;

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

export interface Auth {
  /** Verifies a raw token; throws HttpProblem 401 when it is not acceptable. */
  verify(token: string): Promise<AuthContext>;
  /** 401 without a valid token; 403 when roles are given and the caller has none of them. */
  requireAuth(roles?: readonly Role[]): RequestHandler;
}

export function createAuth(settings: AuthSettings): Auth {
  const key = verificationKey(settings.JWT_SECRET);
  const verified = new VerifiedTokens(VERIFIED_TOKENS_MAX);

  async function verify(token: string): Promise<AuthContext> {
    const known = verified.get(token);
    if (known) return known;
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, await key, {
        algorithms: [ALGORITHM],
        issuer: settings.JWT_ISSUER,
        audience: settings.JWT_AUDIENCE,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated('The token has expired.', true);
      throw unauthenticated('The token is not valid.', true);
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
    // requiredClaims guarantees a numeric exp; jose accepted it up to the tolerance, and so does the cache.
    const exp = (payload as { exp: number }).exp;
    verified.set(token, auth, (exp + CLOCK_TOLERANCE_SECONDS) * 1000);
    return auth;
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
      next();
    };
  }

  return { verify, requireAuth };
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

/** Mints an HS256 token the services accept; for tests and the dev-token CLI, not for production login. */
export async function signToken(secret: string, claims: TokenClaims, opts: SignOptions = {}): Promise<string> {
  const nowSeconds = Math.floor((opts.now ?? Date.now()) / 1000);
  return new SignJWT({ roles: [...claims.roles], ...(claims.care ? { care: [...claims.care] } : {}), ...(claims.service ? { svc: true } : {}) })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(opts.issuer ?? 'lifeline')
    .setAudience(opts.audience ?? 'lifeline-api')
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + (opts.expiresInSeconds ?? 3600))
    .sign(keyOf(secret));
}
