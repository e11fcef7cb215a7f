import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fromRoot } from '@lifeline/platform';

const run = promisify(execFile);

/** The cached Kafka jars folder, as scripts/install/kafka.sh laid it out. */
export async function kafkaLibs(): Promise<string> {
  const { stdout } = await run('bash', ['-c', `source "${fromRoot('scripts/lib/common.sh')}" && echo "$(kafka_home)/libs"`]);
  return stdout.trim();
}
