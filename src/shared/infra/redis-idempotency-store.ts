import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type {
  IdempotencyClaim,
  IdempotencyLease,
  IdempotencyStore,
  StoredAnswer,
} from '../domain/idempotency-store.ts';

/**
 * One string per key: `p:<holder>:<fingerprint>` while a request holds it (with a lease as its
 * TTL), `d:<json>` once its answer is stored. Each change is a script that compares the value
 * first, so a holder whose lease lapsed can neither overwrite nor delete a newer holder's claim.
 */
const CLAIM = `
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`;
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`;
const COMPLETE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`;

type ScriptedRedis = Redis & {
  idempotencyClaim(key: string, value: string, leaseMs: number): Promise<string | null>;
  idempotencyRenew(key: string, value: string, leaseMs: number): Promise<number>;
  idempotencyComplete(key: string, value: string, answer: string, ttl: number): Promise<number>;
  idempotencyRelease(key: string, value: string): Promise<number>;
};

interface AnswerRecord {
  f: string;
  s: number;
  h: Record<string, string>;
  b: string;
}

export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: ScriptedRedis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'idem:') {
    redis.defineCommand('idempotencyClaim', { numberOfKeys: 1, lua: CLAIM });
    redis.defineCommand('idempotencyRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('idempotencyComplete', { numberOfKeys: 1, lua: COMPLETE });
    redis.defineCommand('idempotencyRelease', { numberOfKeys: 1, lua: RELEASE });
    this.#redis = redis as ScriptedRedis;
    this.#prefix = prefix;
  }

  async claim(key: string, fingerprint: string, leaseMs: number): Promise<IdempotencyClaim> {
    const redisKey = this.#prefix + key;
    const mine = `p:${randomUUID()}:${fingerprint}`;
    const held = await this.#redis.idempotencyClaim(redisKey, mine, leaseMs);
    if (held === null) return { state: 'claimed', lease: this.#lease(redisKey, mine, fingerprint) };
    if (held.startsWith('d:')) {
      const record = JSON.parse(held.slice(2)) as AnswerRecord;
      return {
        state: 'done',
        fingerprint: record.f,
        answer: { status: record.s, headers: record.h, body: Buffer.from(record.b, 'base64') },
      };
    }
    // `p:` + a 36-character holder id + `:`.
    return { state: 'running', fingerprint: held.slice(39) };
  }

  #lease(redisKey: string, mine: string, fingerprint: string): IdempotencyLease {
    const redis = this.#redis;
    return {
      renew: async (leaseMs) => (await redis.idempotencyRenew(redisKey, mine, leaseMs)) === 1,
      complete: async (answer: StoredAnswer, retentionSeconds) => {
        const record: AnswerRecord = {
          f: fingerprint,
          s: answer.status,
          h: answer.headers,
          b: Buffer.from(answer.body).toString('base64'),
        };
        const stored = `d:${JSON.stringify(record)}`;
        return (await redis.idempotencyComplete(redisKey, mine, stored, retentionSeconds)) === 1;
      },
      release: async () => {
        await redis.idempotencyRelease(redisKey, mine);
      },
    };
  }
}
