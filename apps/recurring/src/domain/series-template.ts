import { randomUUID } from 'node:crypto';
import type { SeriesState } from '@lifeline/contracts';
import { startInstant, type Recurrence } from '@lifeline/recurrence';

/** What a series is made from, whether a user posted it or a task carried the recurrence. */
export interface SeriesTemplate {
  ownerId: string;
  title: string;
  notes: string | null;
  priority: SeriesState['priority'];
  tags: string[];
  remindBeforeMinutes: number | null;
}

export interface SeriesOrigin {
  sourceTaskId: string | null;
  createdBy: string;
  now: Date;
}

export function newSeries(template: SeriesTemplate, rule: Recurrence, origin: SeriesOrigin): SeriesState {
  const now = origin.now.toISOString();
  return {
    id: randomUUID(),
    ...template,
    sourceTaskId: origin.sourceTaskId,
    recurrence: rule.text,
    timezone: rule.tzid,
    startsAt: startInstant(rule).toISOString(),
    status: 'active',
    endReason: null,
    endedAt: null,
    revision: 1,
    // Generation starts at creation: occurrences before it are history, not tasks to make.
    generatedUntil: now,
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: origin.createdBy,
  };
}

/** A change to the template; absent keeps a field. */
export interface TemplatePatch {
  title?: string | undefined;
  notes?: string | null | undefined;
  priority?: SeriesState['priority'] | undefined;
  tags?: string[] | undefined;
  remindBeforeMinutes?: number | null | undefined;
  /** Already checked and canonical. */
  rule?: Recurrence | undefined;
}

// What an instance is made of: a change to any of these replaces the instances nobody started.
const TEMPLATE_FIELDS = ['title', 'notes', 'priority', 'tags', 'recurrence', 'timezone', 'startsAt', 'remindBeforeMinutes'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

export function applyTemplatePatch(before: SeriesState, patch: TemplatePatch): SeriesState {
  const after = { ...before };
  if (patch.title !== undefined) after.title = patch.title;
  if (patch.notes !== undefined) after.notes = patch.notes;
  if (patch.priority !== undefined) after.priority = patch.priority;
  if (patch.tags !== undefined) after.tags = patch.tags;
  if (patch.remindBeforeMinutes !== undefined) after.remindBeforeMinutes = patch.remindBeforeMinutes;
  if (patch.rule !== undefined) {
    after.recurrence = patch.rule.text;
    after.timezone = patch.rule.tzid;
    after.startsAt = startInstant(patch.rule).toISOString();
  }
  return after;
}

export function changedTemplateFields(before: SeriesState, after: SeriesState): TemplateField[] {
  return TEMPLATE_FIELDS.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}

/** The reminder offset a task implies: how long before its due time it reminds, when it does so beforehand. */
export function reminderOffsetMinutes(dueAt: string | null, remindAt: string | null): number | null {
  if (dueAt === null || remindAt === null) return null;
  const minutes = Math.round((Date.parse(dueAt) - Date.parse(remindAt)) / 60_000);
  return minutes >= 0 && minutes <= 10_080 ? minutes : null;
}
