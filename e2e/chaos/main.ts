// The chaos matrix: each fault under a bounded open-loop load on each broker, then one table of what was
// sent, lost and duplicated. Run it alone (it starts apps on the dev ports):
//   flock /tmp/lifeline-e2e.lock npm run chaos [-- --broker B]... [--fault F]... [--rate N --seconds N]
// Broker kills are not in the matrix: the stack's Redis, Kafka and RabbitMQ are shared by every suite and
// helper on the machine, and the harness has no broker of its own to kill.
import { parseArgs } from 'node:util';
import { brokers, type Broker } from '@lifeline/platform';
import { describeFault, faultNames, isFault, type FaultName } from './faults.ts';
import { bringUp, defaultOptions, runScenario, tearDown, type Chaos, type ScenarioResult } from './scenario.ts';
import { formatTable, tableRow } from './table.ts';

const { values } = parseArgs({
  options: {
    broker: { type: 'string', multiple: true },
    fault: { type: 'string', multiple: true },
    rate: { type: 'string' },
    seconds: { type: 'string' },
  },
});
const selectedBrokers = (values.broker ?? ['redis']) as Broker[];
for (const b of selectedBrokers) if (!brokers.includes(b)) throw new Error(`--broker must be one of ${brokers.join(', ')}`);
const selectedFaults = (values.fault ?? [...faultNames]) as FaultName[];
for (const f of selectedFaults) if (!isFault(f)) throw new Error(`--fault must be one of ${faultNames.join(', ')}`);
const options = {
  ...defaultOptions,
  ...(values.rate ? { rate: Number(values.rate) } : {}),
  ...(values.seconds ? { seconds: Number(values.seconds), faultAtS: Math.floor(Number(values.seconds) / 3) } : {}),
};

const results: ScenarioResult[] = [];
for (const broker of selectedBrokers) {
  let chaos: Chaos | undefined;
  try {
    chaos = await bringUp(broker);
    for (const fault of selectedFaults) {
      console.log(`\n${describeFault(fault)}`);
      results.push(await runScenario(chaos, fault, options, (l) => console.log(l)));
    }
  } finally {
    await tearDown(chaos);
  }
}
console.log(`\nchaos: ${options.rate} task creates/s for ${options.seconds} s, one fault at ${options.faultAtS} s, down ${options.downS} s`);
console.log(formatTable(results.map(tableRow)));
