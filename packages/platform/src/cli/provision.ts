// npm run provision -- <broker>: declares what the broker needs before any app starts.
import { brokers, type Broker } from '../run-template.ts';
import { provisionBroker } from '../provision.ts';

const broker = process.argv[2] ?? 'redis';
if (!(brokers as readonly string[]).includes(broker)) {
  console.error(`unknown broker "${broker}": expected one of ${brokers.join(', ')}`);
  process.exit(2);
}
try {
  console.log(await provisionBroker(broker as Broker));
} catch (err) {
  console.error(`provisioning ${broker} failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
