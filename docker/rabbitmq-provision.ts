// One-shot for docker-compose and the Helm chart: declares every subscriber's RabbitMQ queue (and its
// dead-letter pair) before any app starts, with the same topology scripts/dev.sh provisions locally.
// RabbitMQ only keeps messages for queues that exist, so without this an event published before its
// subscriber's first start would be lost.
//   RABBITMQ_MANAGEMENT_URL=http://rabbitmq:15672 RABBITMQ_USER=guest RABBITMQ_PASSWORD=guest \
//     node --import tsx docker/rabbitmq-provision.ts
import { provisionRabbitMq } from '../packages/platform/src/broker-topology.ts';

const url = process.env.RABBITMQ_MANAGEMENT_URL;
const user = process.env.RABBITMQ_USER ?? 'guest';
const password = process.env.RABBITMQ_PASSWORD ?? 'guest';
const waitSeconds = Number(process.env.RABBITMQ_WAIT_SECONDS ?? 120);
if (!url) {
  console.error('RABBITMQ_MANAGEMENT_URL is required (for example http://rabbitmq:15672)');
  process.exit(2);
}

// The broker may still be booting (a Job starts as soon as it is scheduled): retry until the deadline.
const deadline = Date.now() + waitSeconds * 1000;
for (let attempt = 1; ; attempt++) {
  try {
    await provisionRabbitMq({ url, user, password });
    console.log(`rabbitmq: exchanges, subscriber queues and dead-letter queues declared at ${url}`);
    break;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (Date.now() > deadline) {
      console.error(`rabbitmq provisioning failed after ${attempt} attempts: ${message}`);
      process.exit(1);
    }
    console.error(`rabbitmq not ready (attempt ${attempt}): ${message}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}
