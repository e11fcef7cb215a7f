import { subscribers } from '@lifeline/contracts';

/** Where a dead-letter recorder's own failures go; kept (never consumed) for an operator to inspect. */
export const PARKED_TOPIC = 'dead-letters.unrecorded';

export interface Subscription {
  app: string;
  topic: string;
}

/** Every (app, topic) pair the contracts declare, i.e. every queue a subscriber will read. */
export function declaredSubscriptions(): Subscription[] {
  return Object.entries(subscribers).flatMap(([app, topics]) => topics.map((topic) => ({ app, topic })));
}

/**
 * RabbitMQ objects exactly as Dapr's pubsub.rabbitmq (components-contrib 1.18) declares them for a
 * subscription with our component metadata (durable, deletedWhenUnused false, enableDeadLetter):
 * a durable fanout exchange per topic, a queue "<consumerID>-<topic>" bound to it, and a dead-letter
 * exchange/queue pair per queue. Declaring with different arguments would make Dapr's own declare fail
 * with PRECONDITION_FAILED, so the arguments mirror its source.
 */
export interface RabbitTopology {
  exchanges: { name: string }[];
  queues: { name: string; arguments: Record<string, string> }[];
  bindings: { exchange: string; queue: string }[];
}

export function rabbitTopology(subs: Subscription[] = declaredSubscriptions()): RabbitTopology {
  const topology: RabbitTopology = { exchanges: [], queues: [], bindings: [] };
  const exchanges = new Set<string>();
  const addExchange = (name: string) => {
    if (!exchanges.has(name)) topology.exchanges.push({ name });
    exchanges.add(name);
  };
  for (const { app, topic } of subs) {
    const queue = `${app}-${topic}`;
    addExchange(topic);
    addExchange(`dlx-${queue}`);
    topology.queues.push({ name: `dlq-${queue}`, arguments: { 'x-queue-mode': 'lazy' } });
    topology.bindings.push({ exchange: `dlx-${queue}`, queue: `dlq-${queue}` });
    topology.queues.push({ name: queue, arguments: { 'x-dead-letter-exchange': `dlx-${queue}`, 'x-queue-type': 'classic' } });
    topology.bindings.push({ exchange: topic, queue });
  }
  addExchange(PARKED_TOPIC);
  topology.queues.push({ name: `parked-${PARKED_TOPIC}`, arguments: {} });
  topology.bindings.push({ exchange: PARKED_TOPIC, queue: `parked-${PARKED_TOPIC}` });
  return topology;
}

export interface ManagementApi {
  url: string;
  user: string;
  password: string;
}

/** Declares the topology through the management HTTP API: idempotent, safe to run before every start. */
export async function provisionRabbitMq(api: ManagementApi, topology = rabbitTopology()): Promise<void> {
  const auth = `Basic ${Buffer.from(`${api.user}:${api.password}`).toString('base64')}`;
  const vhost = encodeURIComponent('/');
  const call = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${api.url}/api${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`RabbitMQ management ${method} ${path}: ${res.status} ${await res.text()}`);
  };
  for (const ex of topology.exchanges) {
    await call('PUT', `/exchanges/${vhost}/${encodeURIComponent(ex.name)}`, { type: 'fanout', durable: true, auto_delete: false, internal: false, arguments: {} });
  }
  for (const q of topology.queues) {
    await call('PUT', `/queues/${vhost}/${encodeURIComponent(q.name)}`, { durable: true, auto_delete: false, arguments: q.arguments });
  }
  for (const b of topology.bindings) {
    await call('POST', `/bindings/${vhost}/e/${encodeURIComponent(b.exchange)}/q/${encodeURIComponent(b.queue)}`, { routing_key: '', arguments: {} });
  }
}
