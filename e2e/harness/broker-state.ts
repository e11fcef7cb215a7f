import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadStackEnv, provisionBroker, type Broker } from '@lifeline/platform';
import { kafkaLibs } from './kafka-libs.ts';

const run = promisify(execFile);

/**
 * Leaves the consumer's topics as a first deployment finds them, so the suite can prove what a
 * subscriber that has never run receives: Redis without the streams (and so without the group), Kafka
 * with the topics emptied and no consumer group, RabbitMQ with the provisioned (empty) queues and no
 * consumer ever attached. Emptying matters: a group re-created at "oldest" would otherwise replay every
 * earlier run's history (benchmarks leave tens of thousands of events) before reaching the new ones.
 */
export async function forgetConsumer(broker: Broker, appId: string, topics: readonly string[]): Promise<void> {
  const env = loadStackEnv();
  if (broker === 'redis') {
    await run('redis-cli', ['-h', '127.0.0.1', '-p', String(env.LIFELINE_REDIS_PORT), 'DEL', ...topics]);
    return;
  }
  if (broker === 'kafka') {
    const bootstrap = `127.0.0.1:${env.LIFELINE_KAFKA_PORT}`;
    const cp = `${await kafkaLibs()}/*`;
    const args = ['-cp', cp, 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', '--bootstrap-server', bootstrap, '--delete', '--group', appId];
    await run('java', args).catch((err: { stdout?: string; stderr?: string }) => {
      const out = `${err.stdout ?? ''}${err.stderr ?? ''}`;
      if (!/does not exist|GroupIdNotFound/i.test(out)) throw new Error(`deleting Kafka group ${appId} failed: ${out}`);
    });
    await emptyKafkaTopics(cp, bootstrap, topics);
    return;
  }
  const auth = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
  for (const topic of topics) {
    for (const queue of [`${appId}-${topic}`, `dlq-${appId}-${topic}`]) {
      const res = await fetch(`http://127.0.0.1:${env.LIFELINE_RABBITMQ_MGMT_PORT}/api/queues/%2F/${encodeURIComponent(queue)}`, {
        method: 'DELETE',
        headers: { authorization: auth },
      });
      if (!res.ok && res.status !== 404) throw new Error(`deleting queue ${queue}: ${res.status}`);
    }
  }
  await provisionBroker('rabbitmq', env);
}

/** Deletes every record of the topics that exist (offset -1 = up to the high watermark). */
async function emptyKafkaTopics(cp: string, bootstrap: string, topics: readonly string[]): Promise<void> {
  const { stdout } = await run('java', ['-cp', cp, 'org.apache.kafka.tools.TopicCommand', '--bootstrap-server', bootstrap, '--list']);
  const existing = new Set(stdout.split('\n').map((l) => l.trim()));
  const partitions = topics.filter((t) => existing.has(t)).map((topic) => ({ topic, partition: 0, offset: -1 }));
  if (partitions.length === 0) return;
  const dir = await mkdtemp(path.join(tmpdir(), 'kafka-delete-'));
  const file = path.join(dir, 'offsets.json');
  await writeFile(file, JSON.stringify({ partitions, version: 1 }));
  try {
    await run('java', ['-cp', cp, 'org.apache.kafka.tools.DeleteRecordsCommand', '--bootstrap-server', bootstrap, '--offset-json-file', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
