/** Test support for the apps' component tests (import from "@lifeline/kit/testing", never from app code). */
export { call, expectJson, expectProblem, type Call } from './http.ts';
export { eventually } from './eventually.ts';
export { assertValidOpenApi31, componentValidator, documentedOperations, registeredRoutes } from './openapi.ts';
