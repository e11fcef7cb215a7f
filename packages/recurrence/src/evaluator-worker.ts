import { parentPort } from 'node:worker_threads';
import { runJob, type JobReply, type JobRequest } from './evaluator-jobs.ts';

// Entry point of a RecurrenceEvaluator worker thread (loaded through tsx by the evaluator's bootstrap).
const port = parentPort;
if (port === null) throw new Error('evaluator-worker.ts runs only as a worker thread');

port.on('message', (job: JobRequest) => {
  const reply: JobReply = { id: job.id, outcome: runJob(job) };
  port.postMessage(reply);
});
// The evaluator starts a job's time budget only now, so loading this module never counts against a rule.
port.postMessage({ ready: true } satisfies JobReply);
