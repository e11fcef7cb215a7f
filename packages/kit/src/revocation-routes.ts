import { Router } from 'express';
import { z } from 'zod';
import { MAX_TOKEN_LIFETIME_SECONDS, getAuth, type Auth } from './auth.ts';
import { validationProblem } from './error-middleware.ts';
import { HttpProblem, forbidden, sendProblem, serviceUnavailable } from './problem.ts';

const bodySchema = z
  .object({
    /** Omitted: the token of this request (logout). Another jti: admins only. */
    jti: z.string().min(1).max(200).optional(),
  })
  .strict();

/**
 * POST /auth/revoke: puts a token's jti on the denylist every app checks (revocations.ts). A caller
 * revokes their own token; an admin revokes any jti. One app mounting this is enough, the list is shared.
 */
export function revocationRoutes(auth: Auth): Router {
  const router = Router();
  router.post('/auth/revoke', auth.requireAuth(), async (req, res) => {
    const parsed = bodySchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationProblem(parsed.error.issues);
    const store = auth.revocations;
    if (!store) throw serviceUnavailable('Token revocation is not configured on this service (TOKEN_REVOCATION).');
    const caller = getAuth(req);
    const own = auth.tokenFacts(req);
    const jti = parsed.data.jti ?? own.jti;
    if (jti === undefined) throw new HttpProblem({ status: 422, type: 'unprocessable', title: 'Unprocessable Content', detail: 'This token has no jti to revoke.' });
    const isOwn = jti === own.jti;
    if (!isOwn && !caller.roles.includes('admin')) {
      sendProblem(req, res, forbidden('Only an admin may revoke another token.'));
      return;
    }
    // Another token's expiry is unknown here; no token an app accepts lives longer than the bound.
    const until = isOwn ? own.exp : Math.floor(Date.now() / 1000) + MAX_TOKEN_LIFETIME_SECONDS;
    try {
      await store.revoke(jti, until);
    } catch (err) {
      throw serviceUnavailable('The token denylist cannot be written right now.', { headers: { 'Retry-After': '1' }, cause: err });
    }
    res.status(200).json({ jti, revokedUntil: new Date(until * 1000).toISOString() });
  });
  return router;
}
