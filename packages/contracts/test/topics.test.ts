import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventSchemas, makeEvent, parseTopicEvent, topicNames, topicOf, topics, topicSchemas } from '../src/index.ts';
import { openTask, sampleData, taskId } from './samples.ts';

const actor = { id: 'caregiver-1', kind: 'user' } as const;

describe('topics', () => {
  it('when listing topics, then they are the six of DESIGN.md and the live positions of emergencies', () => {
    assert.deepEqual(topicNames, [
      'task-events',
      'recurring-task-events',
      'reminders',
      'notification-events',
      'emergency-events',
      'geofence-events',
      'emergency-positions',
    ]);
  });

  it('when comparing the topic map with the union schemas, then each union accepts exactly its listed types', () => {
    for (const topic of topicNames) {
      // A type with two versions on the wire is a union of its versions, all of that one type.
      const unionTypes = topicSchemas[topic].options.map((option) => ('shape' in option ? option.shape.type.value : option.options[0].shape.type.value));
      assert.deepEqual(unionTypes, [...topics[topic]], topic);
    }
    const listed = topicNames.flatMap((topic) => [...topics[topic]]).sort();
    assert.deepEqual(Object.keys(eventSchemas).sort(), listed);
  });

  it('when an event of any type arrives on its topic, then the topic schema parses it and narrows by type', () => {
    for (const topic of topicNames) {
      for (const type of topics[topic]) {
        const event = makeEvent(type, { source: 'tasks', subject: 's', actor, data: sampleData[type] });
        const result = parseTopicEvent(topic, JSON.parse(JSON.stringify(event)));
        assert.ok(result.success, `${type} on ${topic}`);
        assert.equal(result.data.type, type);
        assert.equal(topicOf(type), topic);
      }
    }
  });

  it('when a task.completed arrives on task-events, then the union narrows data to before/after', () => {
    const event = makeEvent('task.completed', {
      source: 'tasks',
      subject: taskId,
      actor,
      data: sampleData['task.completed'],
    });
    const result = parseTopicEvent('task-events', event);
    assert.ok(result.success);
    if (result.data.type !== 'task.completed') assert.fail('expected task.completed');
    assert.equal(result.data.data.after.status, 'done');
  });

  it('when an event of another topic arrives, then the topic schema rejects it at "type"', () => {
    const reminder = makeEvent('reminder.due', {
      source: 'tasks',
      subject: taskId,
      actor,
      data: sampleData['reminder.due'],
    });
    const result = parseTopicEvent('task-events', reminder);
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues.map((issue) => issue.path.join('.')), ['type']);
  });

  it('when a known type carries the wrong data, then the union reports the path inside data', () => {
    const event = makeEvent('task.created', { source: 'tasks', subject: taskId, actor, data: { after: openTask } });
    const broken = { ...event, data: { after: { ...openTask, status: 'archived' } } };
    const result = parseTopicEvent('task-events', broken);
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues.map((issue) => issue.path.join('.')), ['data.after.status']);
  });
});
