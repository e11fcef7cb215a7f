import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextFallback, planChannels } from '../src/domain/channel-plan.ts';
import { defaultPreferences, type Preferences } from '../src/domain/preferences.ts';

const NOON = new Date('2026-03-10T12:00:00Z');
const prefs = (overrides: Partial<Preferences> = {}): Preferences => ({
  ...defaultPreferences('rita'),
  email: 'rita@example.test',
  pushTokens: ['phone'],
  ...overrides,
});
const summary = (plan: ReturnType<typeof planChannels>) => plan.map((d) => (d.action === 'suppress' ? `${d.channel}:${d.reason}` : `${d.channel}:${d.action}`));

describe('which channels a notification goes to', () => {
  it('when everything is on and reachable, then every channel delivers', () => {
    assert.deepEqual(summary(planChannels(prefs(), 'reminders', 'normal', NOON)), ['email:deliver', 'websocket:deliver', 'push:deliver']);
  });

  it('when a channel or the category is off, then preference-disabled wins over no-address and quiet hours', () => {
    const p = prefs({ email: null, channels: { email: false, websocket: true, push: true }, quietHours: { start: '11:00', end: '13:00' } });
    assert.deepEqual(summary(planChannels(p, 'reminders', 'normal', NOON)), ['email:preference-disabled', 'websocket:quiet-hours', 'push:quiet-hours']);
    const off = prefs({ categories: { reminders: true, tasks: false, emergency: true, geofence: true } });
    assert.deepEqual(summary(planChannels(off, 'tasks', 'normal', NOON)), ['email:preference-disabled', 'websocket:preference-disabled', 'push:preference-disabled']);
  });

  it('when an emergency meets opt-outs and quiet hours, then the chosen reachable channels deliver and the rest wait in reserve', () => {
    const p = prefs({ channels: { email: false, websocket: false, push: true }, categories: { reminders: true, tasks: true, emergency: false, geofence: true }, quietHours: { start: '00:00', end: '23:59' } });
    const plan = planChannels(p, 'emergency', 'emergency', NOON);
    assert.deepEqual(summary(plan), ['email:reserve', 'websocket:reserve', 'push:deliver']);
    assert.equal(nextFallback(plan, new Set(['push'])), 'email');
    assert.equal(nextFallback(plan, new Set(['push', 'email'])), 'websocket');
    assert.equal(nextFallback(plan, new Set(['push', 'email', 'websocket'])), undefined);
  });

  it('when an emergency finds no chosen channel reachable, then every reachable channel delivers', () => {
    const p = prefs({ email: null, pushTokens: [], channels: { email: true, websocket: false, push: true } });
    assert.deepEqual(summary(planChannels(p, 'emergency', 'emergency', NOON)), ['email:no-address', 'websocket:deliver', 'push:no-address']);
  });
});
