import { z } from 'zod';
import { notificationCategorySchema, notificationChannelSchema, notificationPrioritySchema, notificationSuppressionReasonSchema } from '@lifeline/contracts';
import {
  COMMON_PROBLEMS,
  JSON_CONTENT,
  openApiDocument,
  pathParameters,
  problemCatalog,
  problemResponse,
  queryParameters,
  responses,
  schemaRef,
  type JsonSchema,
} from '@lifeline/kit';
import { DELIVERY_STATUSES, type Delivery } from '../domain/delivery.ts';
import type { Preferences } from '../domain/preferences.ts';
import { LIVE_PATH } from '../live/websocket-server.ts';
import { listQuery } from './notification-routes.ts';
import { preferencesBody, userIdParams } from './preference-input.ts';

/** Under the app's name, so the gateway's /api/v1/notification/openapi.json reaches it. */
export const OPENAPI_PATH = '/notification/openapi.json';

const switches = <K extends string>(keys: readonly K[]) => z.strictObject(Object.fromEntries(keys.map((k) => [k, z.boolean()])) as Record<K, z.ZodBoolean>);
const instant = z.iso.datetime();

// What the routes send; typed against the domain's types so the two cannot drift apart.
const preferencesSchema: z.ZodType<Preferences> = z.strictObject({
  userId: z.string(),
  email: z.string().nullable(),
  pushTokens: z.array(z.string()),
  timezone: z.string(),
  quietHours: z.strictObject({ start: z.string(), end: z.string() }).nullable().describe('Local "HH:MM" window; end before start crosses midnight.'),
  channels: switches(notificationChannelSchema.options),
  categories: switches(notificationCategorySchema.options),
  updatedAt: instant.nullable().describe('null until the user stores preferences: these are then the defaults.'),
});

const deliverySchema: z.ZodType<Delivery> = z.strictObject({
  id: z.uuid(),
  causeEventId: z.string(),
  causeEventType: z.string(),
  subject: z.string(),
  userId: z.string(),
  channel: notificationChannelSchema,
  category: notificationCategorySchema,
  priority: notificationPrioritySchema,
  content: z.strictObject({ kind: z.string(), title: z.string(), body: z.string(), data: z.record(z.string(), z.string()) }),
  fallbackFor: notificationChannelSchema.nullable().describe('On an emergency fallback: the channel whose failure it replaces.'),
  status: z.enum(DELIVERY_STATUSES),
  reason: notificationSuppressionReasonSchema.nullable(),
  attempts: z.int().min(0),
  providerMessageId: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: instant,
  updatedAt: instant,
  sentAt: instant.nullable(),
});

const deliveryPageSchema = z.strictObject({
  items: z.array(deliverySchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page.'),
});

const only = problemCatalog({
  ...COMMON_PROBLEMS,
  400: 'Invalid input: body, parameters or cursor (validation-error, malformed-json, invalid-cursor).',
  403: 'The caller may only see and change the notifications of themselves or the people they care for.',
  404: 'The path names no route: a user id holding an encoded "/" (route-not-found).',
  415: 'The body is not JSON.',
});

const USER = pathParameters(userIdParams.shape);

/** The OpenAPI 3.1 document of the notification API, generated from the zod schemas the routes validate with. */
export function buildOpenApiDocument(): JsonSchema {
  return openApiDocument({
    title: 'Lifeline notification API',
    description:
      'Where and how a person is told (email, WebSocket, push), what was delivered, and the live WebSocket. Deliveries publish notification-events (notification.sent, notification.failed, notification.suppressed).',
    documentPath: OPENAPI_PATH,
    securityDescription: 'Roles user, caregiver (care claim: people cared for) or admin.',
    schemas: {
      output: { Preferences: preferencesSchema, Delivery: deliverySchema, DeliveryPage: deliveryPageSchema },
      input: { PreferencesInput: preferencesBody },
    },
    paths: {
      '/notification/preferences/{userId}': {
        get: {
          summary: "A person's notification preferences (the defaults until they store some)",
          operationId: 'getPreferences',
          parameters: USER,
          responses: responses({ 200: { description: 'The preferences.', content: JSON_CONTENT(schemaRef('Preferences')) } }, only(400, 401, 403, 404)),
        },
        put: {
          summary: "Replace a person's notification preferences",
          operationId: 'putPreferences',
          description: 'The whole document; what is left out gets its default (channels and categories on, UTC, no quiet hours, no addresses).',
          parameters: USER,
          requestBody: { required: true, content: JSON_CONTENT(schemaRef('PreferencesInput')) },
          responses: responses({ 200: { description: 'The stored preferences.', content: JSON_CONTENT(schemaRef('Preferences')) } }, only(400, 401, 403, 404, 415)),
        },
      },
      '/notification/notifications': {
        get: {
          summary: 'Delivery records, newest first',
          operationId: 'listNotifications',
          description: "A person sees their own, a caregiver those of the people in their care (with userId), an admin anyone's, and everyone's when userId is left out.",
          parameters: queryParameters(listQuery.shape),
          responses: responses({ 200: { description: 'One page.', content: JSON_CONTENT(schemaRef('DeliveryPage')) } }, only(400, 401, 403)),
        },
      },
      [LIVE_PATH]: {
        get: {
          summary: 'Live notifications over a WebSocket',
          operationId: 'openLiveSocket',
          description:
            'A WebSocket upgrade (Connection: Upgrade, Upgrade: websocket). The token comes in the Authorization header or, for browsers, as access_token; the socket closes (4401) when it expires. Clients only listen.',
          parameters: [
            // Only read without an Authorization header, so any value is accepted beside one.
            { name: 'access_token', in: 'query', required: false, description: 'The bearer token, for clients that cannot set headers on a WebSocket (read when there is no Authorization header).', schema: { type: 'string' } },
          ],
          responses: {
            101: { description: 'Switching Protocols: the socket is open and carries notification.live messages.' },
            ...responses({}, only(400, 401)),
            426: problemResponse('Not a WebSocket upgrade request (upgrade-required).'),
          },
        },
      },
    },
  });
}
