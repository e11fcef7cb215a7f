import type { CloudEvent } from '@lifeline/kit';
import { topicNames, topicSchemas, type TopicName } from '@lifeline/contracts';
import { storable, type JsonValue } from './json.ts';

export const DEAD_LETTER_SUFFIX = '.dead-letter';
/** Where a dead letter goes that could not even be recorded; nobody consumes it, operators inspect the broker. */
export const UNRECORDED_DEAD_LETTERS = 'dead-letters.unrecorded';

const MAX_TEXT = 200;
const MAX_REASON = 1000;

export interface DeadLetterRecord {
  /** The topic the message was first published to, e.g. "task-events". */
  topic: string;
  /** The topic it was delivered from, e.g. "task-events.dead-letter". */
  deadLetterTopic: string;
  cloudEventId: string;
  cloudEventType: string | null;
  cloudEventSource: string | null;
  /** The CloudEvent data as delivered; null when there was none. */
  payload: JsonValue | null;
  reason: string | null;
}

export function originalTopic(deadLetterTopic: string): string {
  return deadLetterTopic.endsWith(DEAD_LETTER_SUFFIX) ? deadLetterTopic.slice(0, -DEAD_LETTER_SUFFIX.length) : deadLetterTopic;
}

function isTopicName(topic: string): topic is TopicName {
  return (topicNames as readonly string[]).includes(topic);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The sidecar forwards a dropped message without saying why. Where the data breaks its topic's contract,
 * that is almost certainly the reason, so it is spelled out; otherwise the reason is left unknown (null).
 */
function reasonFor(topic: string, data: unknown): string | null {
  if (data === undefined) return 'the message carried no data';
  if (!isTopicName(topic)) return null;
  const result = topicSchemas[topic].safeParse(data);
  if (result.success) return null;
  const issues = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(data)'}: ${i.message}`);
  return clip(`data does not match the ${topic} contract: ${issues.join('; ')}`, MAX_REASON);
}

export function toDeadLetterRecord(deadLetterTopic: string, ce: CloudEvent<unknown>): DeadLetterRecord {
  const topic = originalTopic(deadLetterTopic);
  const text = (s: string | undefined) => (s === undefined ? null : clip(storable(s).value as string, MAX_TEXT));
  return {
    topic,
    deadLetterTopic,
    cloudEventId: text(ce.id) ?? '',
    cloudEventType: text(ce.type),
    cloudEventSource: text(ce.source),
    payload: ce.data === undefined ? null : storable(ce.data).value,
    reason: reasonFor(topic, ce.data),
  };
}
