import type { IncomingMessage } from 'node:http';
import { CaptureProblem } from './reply.ts';

/** Far above any FCM message (4 KB payload) or fault; a guard against a runaway client only. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even past the limit: answering while the client still writes would reset the
  // connection and the client would see a socket error instead of our 413.
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size <= BODY_LIMIT_BYTES) chunks.push(buf);
  }
  if (size > BODY_LIMIT_BYTES) {
    throw new CaptureProblem(413, 'payload-too-large', 'Payload Too Large', `The request body is larger than ${BODY_LIMIT_BYTES} bytes.`);
  }
  return Buffer.concat(chunks);
}

/** Content-Type is not checked: Dapr's HTTP output binding may send JSON without one. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  if (text.trim() === '') {
    throw new CaptureProblem(400, 'malformed-json', 'Malformed JSON', 'The request body is empty; a JSON document is expected.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CaptureProblem(400, 'malformed-json', 'Malformed JSON', `The request body is not valid JSON: ${(err as Error).message}`);
  }
}
