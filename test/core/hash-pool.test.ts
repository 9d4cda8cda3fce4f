// The hashing threads: every job gets its own answer, however many are queued
// and however they are spread over the threads; a failure stays with its job.
// (Measured: handing a thread its next job before it finishes the current one
// did not raise the login rate, so each thread holds one job at a time.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { HashPool, type HashJob } from '../../src/core/security/hash-pool.js';

const job = (password: string, iterations = 1000): HashJob => ({ op: 'pbkdf2-sha256', password, salt: 'salt', iterations, keyBytes: 32 });
const hex = (v: unknown) => Buffer.from(v as Uint8Array).toString('hex');

test('more jobs than threads: each answers its own job', async () => {
  const pool = new HashPool(2);
  try {
    const passwords = Array.from({ length: 9 }, (_, i) => `password-${i}`);
    const got = await Promise.all(passwords.map((p, i) => pool.run(job(p, 1000 + 500 * (i % 3)))));
    passwords.forEach((p, i) => assert.equal(hex(got[i]), pbkdf2Sync(p, 'salt', 1000 + 500 * (i % 3), 32, 'sha256').toString('hex'), p));
  } finally {
    await pool.close();
  }
});

test('a job that fails rejects alone: the job queued behind it on the same thread still answers', async () => {
  const pool = new HashPool(1);
  try {
    const bad = pool.run({ op: 'nonsense' } as unknown as HashJob);
    const good = pool.run(job('after'));
    await assert.rejects(bad, /password hashing: unknown job nonsense/);
    assert.equal(hex(await good), pbkdf2Sync('after', 'salt', 1000, 32, 'sha256').toString('hex'));
  } finally {
    await pool.close();
  }
});

test('a thread that dies fails the job it was running; the next job runs on a new thread (none hangs)', async () => {
  const pool = new HashPool(1);
  try {
    await pool.run(job('warm-up')); // the thread is up (a thread that fails while booting is not replaced)
    await assert.rejects(pool.run({ op: 'exit' }), /password hashing: /); // the thread ends under its job
    // (piscina starts a thread for the next job it is given; with no thread kept at idle, a job queued
    // behind the dead one waits for that next job: hashing threads never die short of a crash of argon2)
    assert.equal(hex(await pool.run(job('next'))), pbkdf2Sync('next', 'salt', 1000, 32, 'sha256').toString('hex'));
  } finally {
    await pool.close();
  }
});
