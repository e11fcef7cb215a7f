import type { z } from 'zod';
import { issuesAt, type IssueAt } from '../zod-issues.ts';

/** What a route answers; http-server.ts writes it. Routes return values, so no route touches the socket. */
export interface Reply {
  status: number;
  /** Sent as JSON; left out for 204. */
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** The same problem type URIs as the Lifeline services (@lifeline/kit), so clients switch on one set. */
const PROBLEM_TYPE_BASE = 'https://lifeline.dev/problems/';

/** An expected failure of the capture API; rendered as RFC 9457 problem+json in one place. */
export class CaptureProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly errors?: IssueAt[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'CaptureProblem';
  }

  toReply(): Reply {
    return {
      status: this.status,
      contentType: PROBLEM_CONTENT_TYPE,
      ...(this.headers ? { headers: this.headers } : {}),
      body: {
        type: PROBLEM_TYPE_BASE + this.slug,
        title: this.title,
        status: this.status,
        detail: this.detail,
        ...(this.errors ? { errors: this.errors } : {}),
      },
    };
  }
}

export function validationProblem(issues: readonly z.core.$ZodIssue[], detail: string): CaptureProblem {
  return new CaptureProblem(400, 'validation-error', 'Validation Error', detail, issuesAt(issues));
}

export function notFoundProblem(detail: string, slug = 'not-found'): CaptureProblem {
  return new CaptureProblem(404, slug, 'Not Found', detail);
}
