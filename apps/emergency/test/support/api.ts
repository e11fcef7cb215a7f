import { randomUUID } from 'node:crypto';
import { call, expectJson } from '@lifeline/kit/testing';

export interface EmergencyBody {
  id: string;
  personId: string;
  type: string;
  status: string;
  message: string | null;
  tiers: number;
  exhausted: boolean;
  timeline?: Array<{ kind: string; actor: string | null; data: Record<string, unknown> }>;
  nextStepAt?: string | null;
}

export interface ContactBody {
  id: string;
  kind: string;
  userId: string | null;
  name: string;
  email: string | null;
}

/** A person name unique to this run, so test files sharing nothing still never meet. */
export function someone(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

export async function addUserContact(url: string, auth: string, userId: string, personId?: string): Promise<ContactBody> {
  return expectJson<ContactBody>(await call(url, '/emergencies/contacts', auth, { method: 'POST', body: { userId, ...(personId ? { personId } : {}) } }), 201);
}

export async function addOutsideContact(url: string, auth: string, name: string, email: string): Promise<ContactBody> {
  return expectJson<ContactBody>(await call(url, '/emergencies/contacts', auth, { method: 'POST', body: { name, email } }), 201);
}

export async function putPolicy(url: string, auth: string, tiers: Array<{ contactIds: string[]; waitMinutes: number; repeat?: number; order?: 'all' | 'nearest_first'; headStartMinutes?: number }>): Promise<void> {
  await expectJson(await call(url, '/emergencies/policy', auth, { method: 'PUT', body: { tiers } }), 200);
}

export async function raise(url: string, auth: string, body: Record<string, unknown> = { type: 'sos' }, status = 201, headers: Record<string, string> = {}): Promise<EmergencyBody> {
  return expectJson<EmergencyBody>(await call(url, '/emergencies', auth, { method: 'POST', body, headers }), status);
}

export async function getEmergency(url: string, auth: string, id: string): Promise<EmergencyBody> {
  return expectJson<EmergencyBody>(await call(url, `/emergencies/${id}`, auth), 200);
}
