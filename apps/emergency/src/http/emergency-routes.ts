import express, { Router, type RequestHandler } from 'express';
import { IDEMPOTENT_REPLAYED_HEADER, getAuth, idempotencyKeyOf, requestHash, requireJsonBody, unauthorized, type Auth, type CursorCodec, type Role } from '@lifeline/kit';
import { acknowledgeEmergency, cancelEmergency, resolveEmergency, type Responder } from '../domain/change-status.ts';
import type { EmergencyDeps } from '../domain/emergency-deps.ts';
import { raiseEmergency } from '../domain/raise-emergency.ts';
import { getEmergency, listEmergencies, type EmergencyPosition } from '../domain/read-emergencies.ts';
import { acknowledgeBody, cancelBody, emergencyIdParams, listEmergenciesQuery, raiseBody, resolveBody, respondQuery } from './input.ts';
import { limitNewRaise } from './raise-limit.ts';
import { ackLinkProblem, acknowledgedPage, respondPage } from './respond-page.ts';
import { emergencyDetailView, emergencyView } from './views.ts';

export const MEMBER_ROLES: readonly Role[] = ['user', 'caregiver', 'admin'];

export function emergencyRoutes(opts: { auth: Auth; deps: EmergencyDeps; cursors: CursorCodec<EmergencyPosition> }): Router {
  const { auth, deps, cursors } = opts;
  const router = Router();
  const member = auth.requireAuth(MEMBER_ROLES);
  // An outside contact has no token: acknowledge takes either a bearer token or the token of their link.
  const memberIfBearer: RequestHandler = (req, res, next) => (req.get('authorization') === undefined ? next() : member(req, res, next));
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  router.post('/emergencies', member, requireJsonBody(), async (req, res) => {
    const key = idempotencyKeyOf(req);
    const input = raiseBody.parse(req.body);
    await limitNewRaise(req, res, deps, input.personId);
    const { type, ...rest } = input;
    const idempotency = key === undefined ? undefined : { key, requestHash: requestHash('POST /emergencies', input) };
    const raised = await raiseEmergency(deps, getAuth(req), { kind: type, ...rest }, idempotency);
    res.location(`/emergencies/${raised.emergency.id}`);
    if (raised.replayed) res.set(IDEMPOTENT_REPLAYED_HEADER, 'true');
    res.status(raised.created ? 201 : 200).json(emergencyView(raised.emergency));
  });

  router.get('/emergencies', member, async (req, res) => {
    const caller = getAuth(req);
    const { cursor, limit, status, personId } = listEmergenciesQuery.parse(req.query);
    const query = { personId: personId ?? caller.userId, status: status ?? null, limit };
    const after = cursor === undefined ? undefined : cursors.decode(cursor, query);
    const page = await listEmergencies(deps, caller, { personId, statuses: status, limit, after });
    res.json({ items: page.emergencies.map(emergencyView), nextCursor: page.next === undefined ? null : cursors.encode(page.next, query) });
  });

  router.get('/emergencies/:id', member, async (req, res) => {
    const { id } = emergencyIdParams.parse(req.params);
    res.json(emergencyDetailView(await getEmergency(deps, getAuth(req), id)));
  });

  router.post('/emergencies/:id/acknowledge', memberIfBearer, form, async (req, res) => {
    const { id } = emergencyIdParams.parse(req.params);
    const fromForm = req.is('application/x-www-form-urlencoded') !== false;
    const { token } = acknowledgeBody.parse(req.body ?? {});
    let responder: Responder;
    if (req.get('authorization') !== undefined) {
      responder = { kind: 'caller', caller: getAuth(req) };
    } else {
      if (token === undefined) throw unauthorized('Send a bearer token, or the token of your acknowledgement link.', { headers: { 'WWW-Authenticate': 'Bearer realm="lifeline"' } });
      const check = deps.ackLinks.verify(token, id);
      if (!check.ok) throw ackLinkProblem(check.reason);
      responder = { kind: 'link', contactId: check.contactId, nonce: check.nonce };
    }
    const emergency = await acknowledgeEmergency(deps, id, responder);
    if (fromForm) res.type('html').send(acknowledgedPage(emergency));
    else res.json(emergencyView(emergency));
  });

  // What the link in an outside contact's mail opens: a page with one button. GET never acknowledges, so
  // a mail scanner that follows links cannot stop an escalation.
  router.get('/emergencies/:id/respond', async (req, res) => {
    const { id } = emergencyIdParams.parse(req.params);
    const { token } = respondQuery.parse(req.query);
    const check = deps.ackLinks.verify(token, id);
    if (!check.ok) throw ackLinkProblem(check.reason);
    res.type('html').set('Cache-Control', 'no-store').send(respondPage(id, token));
  });

  router.post('/emergencies/:id/resolve', member, async (req, res) => {
    const { id } = emergencyIdParams.parse(req.params);
    const { note } = resolveBody.parse(req.body ?? {});
    res.json(emergencyView(await resolveEmergency(deps, getAuth(req), id, note ?? null)));
  });

  router.post('/emergencies/:id/cancel', member, async (req, res) => {
    const { id } = emergencyIdParams.parse(req.params);
    const { reason } = cancelBody.parse(req.body ?? {});
    res.json(emergencyView(await cancelEmergency(deps, getAuth(req), id, reason ?? null)));
  });

  return router;
}
