import { provisionRabbitMq } from './broker-topology.ts';
import type { Broker } from './run-template.ts';
import { loadStackEnv, type StackEnv } from './stack-env.ts';

/**
 * Broker set-up that must exist before any app starts. Redis Streams (consumer groups read from 0) and
 * Kafka (initialOffset oldest, auto-created topics) keep what is published before a subscriber first
 * joins; RabbitMQ only keeps messages for queues that already exist, so its queues are declared here.
 */
export async function provisionBroker(broker: Broker, env: StackEnv = loadStackEnv()): Promise<string> {
  if (broker !== 'rabbitmq') return `${broker}: nothing to provision`;
  await provisionRabbitMq({ url: `http://127.0.0.1:${env.LIFELINE_RABBITMQ_MGMT_PORT}`, user: 'guest', password: 'guest' });
  return 'rabbitmq: exchanges, subscriber queues and dead-letter queues declared';
}
