import type { Redis } from 'ioredis';
import type { Logger } from '../../../../shared/infra/logger.ts';
import type { LoginAdmission, UnknownLoginAttempts } from '../../application/ports.ts';
import type { LockoutPolicy } from '../../domain/user.ts';

/**
 * The rules of the users table's CHARGE_LOGIN_ATTEMPT, in one script (atomic, like the update):
 * refused while locked; otherwise counted (from 1 again once a lock has run out), and locked
 * until `now + lock` when the count reaches the limit. Returns [locked 0|1, ms left].
 */
const CHARGE_SCRIPT = `
local now = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local lockMs = tonumber(ARGV[3])
local locked = tonumber(redis.call('HGET', KEYS[1], 'locked_until') or '0')
if locked > now then return { 1, locked - now } end
local count
if locked > 0 then
  count = 1
  redis.call('HSET', KEYS[1], 'count', 1, 'locked_until', 0)
else
  count = redis.call('HINCRBY', KEYS[1], 'count', 1)
end
if count >= max then redis.call('HSET', KEYS[1], 'locked_until', now + lockMs) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
return { 0, 0 }
`;

const FORGET_AFTER_MS = 24 * 3600_000;

type ScriptedRedis = Redis & {
  chargeUnknownLogin(
    key: string,
    nowMs: number,
    max: number,
    lockMs: number,
    ttlMs: number,
  ): Promise<[number, number]>;
};

/** Unknown addresses' login lockout in Redis (the key holds a hash, never the address). */
export class RedisUnknownLoginAttempts implements UnknownLoginAttempts {
  readonly #redis: ScriptedRedis;
  readonly #logger: Logger;

  constructor(redis: Redis, logger: Logger) {
    redis.defineCommand('chargeUnknownLogin', { numberOfKeys: 1, lua: CHARGE_SCRIPT });
    this.#redis = redis as ScriptedRedis;
    this.#logger = logger;
  }

  async begin(addressHash: string, now: Date, policy: LockoutPolicy): Promise<LoginAdmission> {
    try {
      const [locked, leftMs] = await this.#redis.chargeUnknownLogin(
        `identity:login-unknown:${addressHash}`,
        now.getTime(),
        policy.maxFailures,
        policy.lockMinutes * 60_000,
        Math.max(FORGET_AFTER_MS, policy.lockMinutes * 60_000),
      );
      return locked === 1
        ? { locked: true, retryAfterSeconds: Math.max(1, Math.ceil(leftMs / 1000)) }
        : { locked: false };
    } catch (error) {
      // Without Redis nothing is locked: the per-IP limit still bounds the guessing.
      this.#logger.warn(
        { err: { message: (error as Error).message } },
        'unknown-address lockout unavailable',
      );
      return { locked: false };
    }
  }
}
