import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadStackEnv, provisionBroker, type Broker } from '@lifeline/platform';
import { kafkaLibs } from './kafka-libs.ts';

const run = promisify(execFile);

/**
 * Makes the broker forget a consumer, so the suite can prove what a subscriber that has never run
 * receives. Each broker is left exactly as a first deployment would find it: Redis and Kafka without the
 * consumer group, RabbitMQ with the provisioned (empty) queue and no consumer ever attached.
 */
export async function forgetConsumer(broker: Broker, appId: string, topics: readonly string[]): Promise<void> {
  const env = loadStackEnv();
  if (broker === 'redis') {
    for (const topic of topics) {
      // XGROUP DESTROY answers 0 (or an error for a missing stream); both mean "no such group now".
      await run('redis-cli', ['-h', '127.0.0.1', '-p', String(env.LIFELINE_REDIS_PORT), 'XGROUP', 'DESTROY', topic, appId]).catch(() => {});
    }
    return;
  }
  if (broker === 'kafka') {
    const args = ['-cp', `${await kafkaLibs()}/*`, 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
      '--bootstrap-server', `127.0.0.1:${env.LIFELINE_KAFKA_PORT}`, '--delete', '--group', appId];
    await run('java', args).catch((err: { stdout?: string; stderr?: string }) => {
      const out = `${err.stdout ?? ''}${err.stderr ?? ''}`;
      if (!/does not exist|GroupIdNotFound/i.test(out)) throw new Error(`deleting Kafka group ${appId} failed: ${out}`);
    });
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
