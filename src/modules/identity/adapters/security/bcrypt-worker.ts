import { hashSync, verifySync } from '@node-rs/bcrypt';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * One bcrypt thread of `BcryptPasswordHasher`. It lowers its own scheduling priority (on Linux a
 * priority is per thread), so that while logins keep every core busy hashing, the event loop
 * and the database still get the CPU first: hashes queue, other requests do not.
 */

export interface HashJob {
  id: number;
  op: 'hash' | 'verify';
  input: string;
  cost?: number;
  encoded?: string;
}

export interface HashResult {
  id: number;
  value?: string | boolean;
  error?: string;
}

const { nice } = workerData as { nice: number };
try {
  setPriority(nice);
} catch {
  // Not permitted or not supported here: hashing still works, only without the lower priority.
}

parentPort?.on('message', (job: HashJob) => {
  let answer: HashResult;
  try {
    answer =
      job.op === 'hash'
        ? { id: job.id, value: hashSync(job.input, { cost: job.cost ?? 12 }) }
        : { id: job.id, value: verifySync(job.input, job.encoded ?? '') };
  } catch (error) {
    answer = { id: job.id, error: (error as Error).message };
  }
  parentPort?.postMessage(answer);
});
