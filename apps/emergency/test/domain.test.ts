import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { transition, type EmergencyStatus, type Transition } from '../src/domain/emergency.ts';
import { escalationEventId } from '../src/domain/emergency-event.ts';
import { firstStep, nextStep } from '../src/domain/escalation-plan.ts';
import { orderTier } from '../src/domain/nearest-first.ts';
import { checkPolicyContacts, defaultPolicy, resolvePlan } from '../src/domain/policy.ts';
import type { Contact } from '../src/domain/contact.ts';
import { loadEmergencyConfig } from '../src/config.ts';

const contact = (id: string, kind: 'user' | 'contact' = 'contact'): Contact => ({
  id,
  personId: 'ann',
  position: 1,
  kind,
  userId: kind === 'user' ? `user-${id.slice(0, 4)}` : null,
  name: `Name ${id.slice(0, 4)}`,
  email: kind === 'contact' ? `${id.slice(0, 4)}@example.test` : null,
  phone: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('the emergency state machine', () => {
  const cases: Array<[EmergencyStatus, Transition, string]> = [
    ['open', 'acknowledge', 'apply:acknowledged'],
    ['acknowledged', 'acknowledge', 'no-op'],
    ['resolved', 'acknowledge', 'illegal'],
    ['cancelled', 'acknowledge', 'illegal'],
    ['open', 'resolve', 'apply:resolved'],
    ['acknowledged', 'resolve', 'apply:resolved'],
    ['resolved', 'resolve', 'no-op'],
    ['cancelled', 'resolve', 'illegal'],
    ['open', 'cancel', 'apply:cancelled'],
    ['acknowledged', 'cancel', 'apply:cancelled'],
    ['cancelled', 'cancel', 'no-op'],
    ['resolved', 'cancel', 'illegal'],
  ];
  for (const [from, action, expected] of cases) {
    it(`when ${action} meets an ${from} emergency, then ${expected}`, () => {
      const r = transition(from, action);
      assert.equal(r.kind === 'apply' ? `apply:${r.to}` : r.kind, expected);
    });
  }
});

const ALL = { order: 'all', headStartMinutes: 1 } as const;
const NEAREST = { order: 'nearest_first', headStartMinutes: 1 } as const;

function walk(plan: Parameters<typeof firstStep>[0]): string[] {
  const seen: string[] = [];
  let step: ReturnType<typeof nextStep> | ReturnType<typeof firstStep> | null = firstStep(plan);
  while (step !== null) {
    seen.push(`${step.kind}:${step.tier}/${step.round}${'afterMinutes' in step ? `+${step.afterMinutes}` : ''}`);
    step = nextStep(plan, step);
  }
  return seen;
}

describe('escalation steps', () => {
  const plan = {
    policyId: null,
    tiers: [
      { recipients: [{ kind: 'user' as const, userId: 'bob' }], waitMinutes: 2, repeat: 1, ...ALL },
      { recipients: [{ kind: 'user' as const, userId: 'cid' }], waitMinutes: 3, repeat: 0, ...ALL },
    ],
    ackTimeoutMinutes: null,
  };
  it('when a plan has two tiers, then tier 1 twice, tier 2 once and then the exhaustion, each after its tier\'s wait', () => {
    assert.deepEqual(walk(plan), ['page:1/1', 'page:1/2+2', 'page:2/1+2', 'exhaust:3/1+3']);
  });
  it('when a tier is nearest_first with two or more recipients, then its round 0 (the nearest alone) comes first and round 1 (the rest) after the head start', () => {
    const two = [{ kind: 'user' as const, userId: 'bob' }, { kind: 'user' as const, userId: 'cid' }];
    const nearest = {
      policyId: null,
      ackTimeoutMinutes: null,
      tiers: [
        { recipients: two, waitMinutes: 4, repeat: 1, order: 'nearest_first' as const, headStartMinutes: 2 },
        { recipients: two, waitMinutes: 3, repeat: 0, ...NEAREST },
        { recipients: [two[0]!], waitMinutes: 5, repeat: 0, ...NEAREST },
      ],
    };
    assert.deepEqual(walk(nearest), ['page:1/0', 'page:1/1+2', 'page:1/2+4', 'page:2/0+4', 'page:2/1+1', 'page:3/1+3', 'exhaust:4/1+5']);
  });
  it('when a plan has no tiers, then the first step is the exhaustion', () => {
    assert.deepEqual(firstStep({ policyId: null, tiers: [], ackTimeoutMinutes: null }), { tier: 1, round: 1, kind: 'exhaust' });
  });
  it('when the same (emergency, tier, round) is named twice, then the event id is the same; another round gives another id', () => {
    const e = '0b7e4c6a-5a1e-4f0d-9a53-2f3a9f1c8d11';
    assert.equal(escalationEventId(e, 1, 1), escalationEventId(e, 1, 1));
    assert.notEqual(escalationEventId(e, 1, 1), escalationEventId(e, 1, 2));
    assert.notEqual(escalationEventId(e, 1, 2), escalationEventId(e, 2, 1));
  });
});

describe('policies', () => {
  it('when no policy is stored, then every contact is in one tier', () => {
    assert.deepEqual(defaultPolicy('ann', [contact(A), contact(B, 'user')]).tiers, [{ contactIds: [A, B], waitMinutes: 5, repeat: 1, ...ALL }]);
  });
  it('when a policy names a contact the person does not have, then 422 naming it', () => {
    assert.throws(() => checkPolicyContacts([{ contactIds: [A, B], waitMinutes: 1, repeat: 0, ...ALL }], [contact(A)]), (err: Error & { status?: number }) => err.status === 422 && err.message.includes(B));
  });
  it('when a contact was deleted since the policy was stored, then the plan leaves it out and drops a tier left empty', () => {
    const plan = resolvePlan({ personId: 'ann', id: null, isDefault: false, ackTimeoutMinutes: null, version: 1, updatedAt: null, tiers: [{ contactIds: [B], waitMinutes: 1, repeat: 0, ...ALL }, { contactIds: [A, B], waitMinutes: 2, repeat: 0, ...NEAREST }] }, [contact(A)]);
    assert.equal(plan.tiers.length, 1);
    assert.deepEqual(plan.tiers[0]?.recipients, [{ kind: 'contact', contactId: A, name: `Name ${A.slice(0, 4)}`, email: `${A.slice(0, 4)}@example.test` }]);
  });
});

describe('nearest-first ordering', () => {
  const u = (userId: string) => ({ kind: 'user' as const, userId });
  const outside = { kind: 'contact' as const, contactId: A, name: 'Nadia', email: 'nadia@example.test' };
  const tier = [u('far'), outside, u('unknown'), u('near'), u('tie')];
  it('when location answers, then users by distance (ties in list order), then users without a position in list order, then outside contacts', () => {
    const ordering = orderTier(tier, { ok: true, distances: new Map([['far', 900], ['near', 120.5], ['unknown', null], ['tie', 900]]) });
    assert.equal(ordering.basis, 'distance');
    assert.deepEqual(ordering.ordered, [u('near'), u('far'), u('tie'), u('unknown'), outside]);
    assert.deepEqual(ordering.distances, { 'user:far': 900, 'user:unknown': null, 'user:near': 120.5, 'user:tie': 900 });
  });
  it('when location could not be reached, then the list order, with the reason', () => {
    const ordering = orderTier(tier, { ok: false, reason: 'location could not be reached: timeout' });
    assert.deepEqual(ordering, { ordered: tier, basis: 'list', reason: 'location could not be reached: timeout', distances: {} });
  });
  it('when location knows nobody of the tier, then the list order, saying so', () => {
    const ordering = orderTier(tier, { ok: true, distances: new Map() });
    assert.equal(ordering.basis, 'list');
    assert.deepEqual(ordering.ordered, tier);
    assert.match(ordering.reason ?? '', /no position/);
  });
});

describe('configuration', () => {
  const base = { APP_ID: 'emergency', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://u:p@127.0.0.1/db' };
  it('when nothing is set, then escalation counts in minutes', () => {
    assert.equal(loadEmergencyConfig(base).ESCALATION_TIME_UNIT, 'minutes');
  });
  it('when a value is bad, then loading names it', () => {
    assert.throws(() => loadEmergencyConfig({ ...base, ESCALATION_TIME_UNIT: 'hours', ADMIN_USER_IDS: 'root, bad id' }), /ESCALATION_TIME_UNIT[\s\S]*ADMIN_USER_IDS|ADMIN_USER_IDS[\s\S]*ESCALATION_TIME_UNIT/);
  });
  it('when admins are listed, then they are read as distinct trimmed ids', () => {
    assert.deepEqual(loadEmergencyConfig({ ...base, ADMIN_USER_IDS: ' root,ops-1 ,root,' }).ADMIN_USER_IDS, ['root', 'ops-1']);
  });
});
