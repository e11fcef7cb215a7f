import { z } from 'zod';
import { issuesAt } from '../zod-issues.ts';
import type { FieldViolation } from './fcm-errors.ts';

// The body of FCM HTTP v1 messages:send, as strict as FCM where a client bug would hide (unknown
// fields, non-string data values, reserved data keys); platform blocks are kept as sent.

const platformBlock = z.record(z.string(), z.unknown());

// FCM refuses these data keys: it uses them itself.
function isReservedDataKey(key: string): boolean {
  return key === 'from' || key === 'notification' || key === 'message_type' || /^(google|gcm)/i.test(key);
}

const data = z.record(z.string(), z.string()).superRefine((entries, ctx) => {
  for (const key of Object.keys(entries)) {
    if (isReservedDataKey(key)) ctx.addIssue({ code: 'custom', path: [key], message: `Invalid data key '${key}': reserved by FCM` });
  }
});

const message = z
  .strictObject({
    name: z.string().optional(),
    token: z
      .string({ error: 'message.token is required: this endpoint delivers to registration tokens' })
      .regex(/^\S{1,4096}$/, 'The registration token is not a valid FCM registration token'),
    // Accepted by FCM, refused here with a clear reason rather than as unknown fields.
    topic: z.unknown().optional(),
    condition: z.unknown().optional(),
    data: data.optional(),
    notification: z.strictObject({ title: z.string().optional(), body: z.string().optional(), image: z.string().optional() }).optional(),
    android: platformBlock.optional(),
    apns: platformBlock.optional(),
    webpush: platformBlock.optional(),
    fcm_options: platformBlock.optional(),
    fcmOptions: platformBlock.optional(),
  })
  .superRefine((m, ctx) => {
    for (const target of ['topic', 'condition'] as const) {
      if (m[target] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [target], message: `message.${target} is not supported by the capture server: send to a token` });
      }
    }
  });

const sendRequest = z.strictObject({
  message,
  // Google's JSON mapping accepts both spellings of a field.
  validate_only: z.boolean().optional(),
  validateOnly: z.boolean().optional(),
});

export type FcmMessage = z.output<typeof message>;

export interface FcmSendRequest {
  message: FcmMessage;
  validateOnly: boolean;
}

export type FcmParseResult = { ok: true; request: FcmSendRequest } | { ok: false; violations: FieldViolation[] };

export function parseFcmSendRequest(body: unknown): FcmParseResult {
  const result = sendRequest.safeParse(body);
  if (!result.success) {
    const violations = issuesAt(result.error.issues).map(({ path, message }) => ({
      field: path,
      description: path ? `Invalid value at '${path}': ${message}` : message,
    }));
    return { ok: false, violations };
  }
  const { message: parsed, validate_only, validateOnly } = result.data;
  return { ok: true, request: { message: parsed, validateOnly: (validate_only ?? validateOnly) === true } };
}
