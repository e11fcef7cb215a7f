import type { z } from 'zod';

export interface IssueAt {
  /** Dotted path, e.g. "message.data.count"; '' for the whole document. */
  path: string;
  message: string;
}

/** One entry per offending field: zod reports all unknown keys of an object as a single issue at the object. */
export function issuesAt(issues: readonly z.core.$ZodIssue[]): IssueAt[] {
  return issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...at, key].join('.'), message: `unknown field '${key}'` }));
    }
    return [{ path: at.join('.'), message: issue.message }];
  });
}
