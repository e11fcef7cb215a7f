export { startCapture } from './capture-server.ts';
export type { CaptureOptions, RunningCapture } from './capture-server.ts';
export { CaptureApiError, CaptureClient } from './client.ts';
export type * from './types.ts';
