import {
  COMMON_PROBLEMS,
  IDEMPOTENT_REPLAYED_HEADER,
  JSON_CONTENT,
  headerParameter,
  idempotencyKeyHeader,
  openApiDocument,
  pathParameters,
  problemCatalog,
  queryParameters,
  responses,
  schemaRef,
  type JsonSchema,
} from '@lifeline/kit';
import {
  acknowledgeBody,
  cancelBody,
  checkInIdParams,
  contactIdParams,
  contactPatchBody,
  emergencyIdParams,
  extendCheckInBody,
  listEmergenciesQuery,
  newCheckInBody,
  newContactBody,
  personQuery,
  policyBody,
  raiseBody,
  resolveBody,
  respondQuery,
} from './input.ts';
import { emergencyTrailSchema, trailQuery } from './trail-routes.ts';
import { checkInListSchema, checkInSchema, contactListSchema, contactSchema, emergencyDetailSchema, emergencyPageSchema, emergencySchema, policySchema } from './output-schemas.ts';

/** Under the public prefix, so the gateway's /api/v1/emergencies/openapi.json reaches it. */
export const OPENAPI_PATH = '/emergencies/openapi.json';

const only = problemCatalog({
  ...COMMON_PROBLEMS,
  400: 'Invalid input: body, parameters or headers (validation-error, malformed-json, invalid cursor), or an acknowledgement link of another emergency (ack-link-mismatch).',
  401: 'No valid bearer token (or, for acknowledge without one, no valid link token: ack-link-invalid).',
  403: 'The caller may not act for this person (or, for cancel, is a paged contact rather than the person or a caregiver).',
  404: 'No such emergency, contact or check-in, or not one the caller may see.',
  409: 'Not possible in the current state: invalid-status-transition, duplicate-contact, ack-link-used.',
  410: 'The acknowledgement link has expired (ack-link-expired).',
  413: 'The body is larger than 1 MB.',
  415: 'The body is not JSON.',
  503: 'A service this answer needs is down (location-unavailable); ask again after Retry-After.',
  422: 'Well-formed but unacceptable: unknown-contact, too-many-contacts, self-contact, user-contact-address, idempotency-key-reuse, check-in-in-past, check-in-too-far, too-many-check-ins.',
});

const json = (name: string, description: string) => ({ description, content: JSON_CONTENT(schemaRef(name)) });
const EMERGENCY_ID = pathParameters(emergencyIdParams.shape);
const CONTACT_ID = pathParameters(contactIdParams.shape);
const CHECK_IN_ID = pathParameters(checkInIdParams.shape);
const PERSON = queryParameters(personQuery.shape);

function transition(summary: string, operationId: string, body: string, description: string): JsonSchema {
  return {
    post: {
      summary,
      operationId,
      description,
      parameters: EMERGENCY_ID,
      requestBody: { required: false, content: JSON_CONTENT(schemaRef(body)) },
      responses: responses({ 200: json('Emergency', 'The emergency after the change (unchanged when it already was in that state).') }, only(400, 401, 403, 404, 409, 415)),
    },
  };
}

/** The OpenAPI 3.1 document of the emergency API, generated from the zod schemas the routes validate with. */
export function buildOpenApiDocument(): JsonSchema {
  return openApiDocument({
    title: 'Lifeline emergency API',
    description:
      'Emergencies (SOS and the like) with durable, exactly-once escalation through tiers of contacts, acknowledgement, resolution, history and check-in timers. Writes publish emergency-events through a transactional outbox.',
    documentPath: OPENAPI_PATH,
    securityDescription: 'Roles user, caregiver (care claim: people cared for) or admin. Outside contacts acknowledge with the token of the link in their mail instead.',
    schemas: {
      output: {
        Emergency: emergencySchema,
        EmergencyDetail: emergencyDetailSchema,
        EmergencyPage: emergencyPageSchema,
        Contact: contactSchema,
        ContactList: contactListSchema,
        Policy: policySchema,
        CheckIn: checkInSchema,
        CheckInList: checkInListSchema,
        EmergencyTrail: emergencyTrailSchema,
      },
      input: {
        RaiseEmergency: raiseBody,
        Acknowledge: acknowledgeBody,
        Resolve: resolveBody,
        Cancel: cancelBody,
        NewContact: newContactBody,
        ContactPatch: contactPatchBody,
        PutPolicy: policyBody,
        NewCheckIn: newCheckInBody,
        ExtendCheckIn: extendCheckInBody,
      },
    },
    paths: {
      '/emergencies': {
        post: {
          summary: 'Raise an emergency (or join the person\'s active one)',
          operationId: 'raiseEmergency',
          parameters: [headerParameter('Idempotency-Key', idempotencyKeyHeader)],
          requestBody: { required: true, content: JSON_CONTENT(schemaRef('RaiseEmergency')) },
          responses: responses(
            {
              201: {
                description: 'Raised; escalation starts at once and never delays this answer.',
                headers: {
                  Location: { description: 'The new emergency.', schema: { type: 'string' } },
                  [IDEMPOTENT_REPLAYED_HEADER]: { description: '"true" when this answer is a replay.', schema: { type: 'string', enum: ['true'] } },
                },
                content: JSON_CONTENT(schemaRef('Emergency')),
              },
              200: json('Emergency', 'The person already had an active emergency: this is it, with the message appended to its timeline; nobody is paged again.'),
            },
            only(400, 401, 403, 413, 415, 422),
          ),
        },
        get: {
          summary: 'List a person\'s emergencies, newest first',
          operationId: 'listEmergencies',
          parameters: queryParameters(listEmergenciesQuery.shape),
          responses: responses({ 200: json('EmergencyPage', 'One page.') }, only(400, 401, 403)),
        },
      },
      '/emergencies/{id}': {
        get: {
          summary: 'Read an emergency with its timeline',
          operationId: 'getEmergency',
          parameters: EMERGENCY_ID,
          responses: responses({ 200: json('EmergencyDetail', 'The emergency.') }, only(400, 401, 404)),
        },
      },
      '/emergencies/{id}/trail': {
        get: {
          summary: 'The person\'s positions during the emergency',
          operationId: 'getEmergencyTrail',
          description: 'Raw positions from the raise (or `since`, when later) to the close or now, from the location app through the sidecar. Readable by whoever may read the emergency.',
          parameters: [...EMERGENCY_ID, ...queryParameters(trailQuery.shape)],
          responses: responses({ 200: json('EmergencyTrail', 'The trail, oldest first.') }, only(400, 401, 404, 503)),
        },
      },
      '/emergencies/{id}/acknowledge': transition(
        'Acknowledge: stop the escalation',
        'acknowledgeEmergency',
        'Acknowledge',
        'With a bearer token (the person, a caregiver, a paged user, an admin), or without one with the token of an outside contact\'s link (JSON or a form post; a form post is answered with an HTML page).',
      ),
      '/emergencies/{id}/respond': {
        get: {
          summary: 'The page an outside contact\'s link opens',
          operationId: 'respondPage',
          security: [],
          parameters: [...EMERGENCY_ID, ...queryParameters(respondQuery.shape)],
          responses: responses({ 200: { description: 'An HTML page with one button that acknowledges; opening it changes nothing.', content: { 'text/html': { schema: { type: 'string' } } } } }, only(400, 401, 410)),
        },
      },
      '/emergencies/{id}/resolve': transition('Resolve', 'resolveEmergency', 'Resolve', 'Resolved with an optional note; everyone paged gets the all-clear.'),
      '/emergencies/{id}/cancel': transition('Cancel (false alarm)', 'cancelEmergency', 'Cancel', 'By the person, a caregiver or an admin; everyone paged gets the all-clear.'),
      '/emergencies/contacts': {
        get: { summary: 'A person\'s contacts, in order', operationId: 'listContacts', parameters: PERSON, responses: responses({ 200: json('ContactList', 'The list.') }, only(400, 401, 403)) },
        post: {
          summary: 'Add a contact',
          operationId: 'addContact',
          requestBody: { required: true, content: JSON_CONTENT(schemaRef('NewContact')) },
          responses: responses({ 201: json('Contact', 'Added at the end of the list.') }, only(400, 401, 403, 409, 415, 422)),
        },
      },
      '/emergencies/contacts/{id}': {
        get: { summary: 'Read a contact', operationId: 'getContact', parameters: CONTACT_ID, responses: responses({ 200: json('Contact', 'The contact.') }, only(400, 401, 404)) },
        patch: {
          summary: 'Change a contact',
          operationId: 'changeContact',
          parameters: CONTACT_ID,
          requestBody: { required: true, content: JSON_CONTENT(schemaRef('ContactPatch')) },
          responses: responses({ 200: json('Contact', 'The changed contact.') }, only(400, 401, 404, 415, 422)),
        },
        delete: { summary: 'Remove a contact (and from the policy)', operationId: 'removeContact', parameters: CONTACT_ID, responses: responses({ 204: { description: 'Removed.' } }, only(400, 401, 404)) },
      },
      '/emergencies/policy': {
        get: { summary: 'A person\'s escalation policy (or the default)', operationId: 'getPolicy', parameters: PERSON, responses: responses({ 200: json('Policy', 'The policy.') }, only(400, 401, 403)) },
        put: {
          summary: 'Replace a person\'s escalation policy',
          operationId: 'putPolicy',
          requestBody: { required: true, content: JSON_CONTENT(schemaRef('PutPolicy')) },
          responses: responses({ 200: json('Policy', 'The stored policy.') }, only(400, 401, 403, 415, 422)),
        },
      },
      '/emergencies/check-ins': {
        get: { summary: 'A person\'s check-ins, newest first', operationId: 'listCheckIns', parameters: PERSON, responses: responses({ 200: json('CheckInList', 'The list.') }, only(400, 401, 403)) },
        post: {
          summary: 'Start a check-in timer',
          operationId: 'startCheckIn',
          requestBody: { required: true, content: JSON_CONTENT(schemaRef('NewCheckIn')) },
          responses: responses({ 201: json('CheckIn', 'Running.') }, only(400, 401, 403, 415, 422)),
        },
      },
      '/emergencies/check-ins/{id}': {
        get: { summary: 'Read a check-in', operationId: 'getCheckIn', parameters: CHECK_IN_ID, responses: responses({ 200: json('CheckIn', 'The check-in.') }, only(400, 401, 404)) },
      },
      '/emergencies/check-ins/{id}/complete': {
        post: { summary: 'Complete a check-in', operationId: 'completeCheckIn', parameters: CHECK_IN_ID, responses: responses({ 200: json('CheckIn', 'Completed (or already was).') }, only(400, 401, 404, 409)) },
      },
      '/emergencies/check-ins/{id}/extend': {
        post: {
          summary: 'Extend a running check-in',
          operationId: 'extendCheckIn',
          parameters: CHECK_IN_ID,
          requestBody: { required: true, content: JSON_CONTENT(schemaRef('ExtendCheckIn')) },
          responses: responses({ 200: json('CheckIn', 'Extended.') }, only(400, 401, 404, 409, 415, 422)),
        },
      },
    },
  });
}
