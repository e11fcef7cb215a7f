import { z } from 'zod';

/** The envelope the sidecar delivers on a topic route (CloudEvents 1.0 plus Dapr's extensions). */
export interface CloudEvent<T = unknown> {
  id: string;
  source: string;
  type: string;
  specversion: string;
  time?: string | undefined;
  subject?: string | undefined;
  datacontenttype?: string | undefined;
  dataschema?: string | undefined;
  data: T;
  traceparent?: string | undefined;
  tracestate?: string | undefined;
  topic?: string | undefined;
  pubsubname?: string | undefined;
}

const envelopeSchema = z.looseObject({
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  specversion: z.string().min(1),
  time: z.string().optional(),
  subject: z.string().optional(),
  datacontenttype: z.string().optional(),
  dataschema: z.string().optional(),
  data: z.unknown().optional(),
  data_base64: z.string().optional(),
  traceparent: z.string().optional(),
  // Older sidecars put the W3C traceparent in traceid only.
  traceid: z.string().optional(),
  tracestate: z.string().optional(),
  topic: z.string().optional(),
  pubsubname: z.string().optional(),
});

export type ParseResult = { ok: true; event: CloudEvent<unknown> } | { ok: false; reason: string };

function isJsonContentType(type: string | undefined): boolean {
  return type === undefined || /^application\/([\w.-]+\+)?json\b/i.test(type.trim());
}

/** JSON data arrives embedded as JSON; binary publishes arrive as data_base64 and are decoded here. */
function decodeData(env: z.output<typeof envelopeSchema>): { ok: true; data: unknown } | { ok: false; reason: string } {
  if (env.data_base64 !== undefined) {
    const text = Buffer.from(env.data_base64, 'base64').toString('utf8');
    if (!isJsonContentType(env.datacontenttype)) return { ok: true, data: text };
    try {
      return { ok: true, data: JSON.parse(text) as unknown };
    } catch {
      return { ok: false, reason: 'data_base64 is not valid JSON' };
    }
  }
  return { ok: true, data: env.data };
}

export function parseCloudEvent(body: unknown): ParseResult {
  const parsed = envelopeSchema.safeParse(body);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.map(String).join('.') || '(body)'))];
    return { ok: false, reason: `not a CloudEvent: invalid ${fields.join(', ')}` };
  }
  const env = parsed.data;
  const data = decodeData(env);
  if (!data.ok) return data;
  return {
    ok: true,
    event: {
      id: env.id,
      source: env.source,
      type: env.type,
      specversion: env.specversion,
      time: env.time,
      subject: env.subject,
      datacontenttype: env.datacontenttype,
      dataschema: env.dataschema,
      data: data.data,
      traceparent: env.traceparent ?? env.traceid,
      tracestate: env.tracestate,
      topic: env.topic,
      pubsubname: env.pubsubname,
    },
  };
}
