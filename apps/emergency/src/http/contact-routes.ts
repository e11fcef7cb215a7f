import { Router } from 'express';
import { getAuth, requireJsonBody, type Auth } from '@lifeline/kit';
import { addContact, changeContact, getContact, listPersonContacts, removeContact } from '../domain/contacts.ts';
import type { EmergencyDeps } from '../domain/emergency-deps.ts';
import { getPolicy, putPolicy } from '../domain/policies.ts';
import { MEMBER_ROLES } from './emergency-routes.ts';
import { contactIdParams, contactPatchBody, newContactBody, personQuery, policyBody } from './input.ts';
import { contactView, policyView } from './views.ts';

/** Contacts and the escalation policy: mounted before /emergencies/:id, whose id would otherwise swallow them. */
export function contactRoutes(opts: { auth: Auth; deps: EmergencyDeps }): Router {
  const { auth, deps } = opts;
  const router = Router();
  const member = auth.requireAuth(MEMBER_ROLES);

  router.get('/emergencies/contacts', member, async (req, res) => {
    const caller = getAuth(req);
    const { personId } = personQuery.parse(req.query);
    const contacts = await listPersonContacts(deps, caller, personId ?? caller.userId);
    res.json({ items: contacts.map(contactView) });
  });

  router.post('/emergencies/contacts', member, requireJsonBody(), async (req, res) => {
    const body = newContactBody.parse(req.body);
    const input =
      body.userId !== undefined
        ? { personId: body.personId, userId: body.userId, name: body.name }
        : { personId: body.personId, name: body.name ?? '', email: body.email ?? '', phone: body.phone };
    const contact = await addContact(deps, getAuth(req), input);
    res.status(201).location(`/emergencies/contacts/${contact.id}`).json(contactView(contact));
  });

  router.get('/emergencies/contacts/:id', member, async (req, res) => {
    const { id } = contactIdParams.parse(req.params);
    res.json(contactView(await getContact(deps, getAuth(req), id)));
  });

  router.patch('/emergencies/contacts/:id', member, requireJsonBody(), async (req, res) => {
    const { id } = contactIdParams.parse(req.params);
    const change = contactPatchBody.parse(req.body);
    res.json(contactView(await changeContact(deps, getAuth(req), id, change)));
  });

  router.delete('/emergencies/contacts/:id', member, async (req, res) => {
    const { id } = contactIdParams.parse(req.params);
    await removeContact(deps, getAuth(req), id);
    res.status(204).end();
  });

  router.get('/emergencies/policy', member, async (req, res) => {
    const caller = getAuth(req);
    const { personId } = personQuery.parse(req.query);
    res.json(policyView(await getPolicy(deps, caller, personId ?? caller.userId)));
  });

  router.put('/emergencies/policy', member, requireJsonBody(), async (req, res) => {
    const caller = getAuth(req);
    const { personId, tiers, ackTimeoutMinutes } = policyBody.parse(req.body);
    res.json(policyView(await putPolicy(deps, caller, personId ?? caller.userId, tiers, ackTimeoutMinutes)));
  });

  return router;
}
