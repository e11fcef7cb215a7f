export { Platform, type InstanceOptions } from './platform.ts';
export { forgetConsumer } from './broker-state.ts';
export { counterValue } from './metrics.ts';
export { waitUntil } from './processes.ts';
