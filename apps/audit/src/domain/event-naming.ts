/**
 * "task.created" -> entity "task", action "created". Derived from the type rather than listed per type, so
 * an event type added to the contracts (or published by a service in another language) is recorded without
 * a change here; the record keeps the full event_type next to these two for exact questions.
 */
export function describeEventType(type: string): { entityType: string; action: string } {
  const dot = type.indexOf('.');
  if (dot <= 0 || dot === type.length - 1) return { entityType: type, action: type };
  return { entityType: type.slice(0, dot), action: type.slice(dot + 1) };
}
