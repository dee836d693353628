import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { EndpointSlots } from '../../application/ports.ts';

export const DEFAULT_SLOTS_PER_WEBHOOK = 4;
/** Longer than one attempt can last (the send deadline plus bookkeeping). */
export const DEFAULT_SLOT_LEASE_MS = 60_000;

/**
 * One sorted set per webhook, one member per held slot, scored by when its lease ends. Expired
 * leases are swept before counting, so a holder that died frees its slot when the lease runs
 * out. Redis's own clock (TIME) keeps every process's leases comparable.
 */
const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= limit then return 0 end
redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
redis.call('PEXPIRE', KEYS[1], lease)
return 1
`;

type ScriptedRedis = Redis & {
  webhookSlotAcquire(key: string, limit: number, leaseMs: number, holder: string): Promise<number>;
};

export interface RedisEndpointSlotsOptions {
  slotsPerWebhook?: number;
  leaseMs?: number;
  /** Key namespace, e.g. the queue prefix, so test runs and deployments do not share slots. */
  prefix?: string;
  /**
   * How long `acquire` keeps trying when every slot is taken (default 0: answer at once). A slot
   * of a healthy receiver frees within milliseconds; waiting that long here is much cheaper than
   * handing the attempt back to the queue, and takes the slot as soon as it frees.
   */
  waitMs?: number;
  /** How often a waiting `acquire` tries again. */
  pollMs?: number;
}

export class RedisEndpointSlots implements EndpointSlots {
  readonly #redis: ScriptedRedis;
  readonly #limit: number;
  readonly #leaseMs: number;
  readonly #prefix: string;
  readonly #waitMs: number;
  readonly #pollMs: number;

  constructor(redis: Redis, options: RedisEndpointSlotsOptions = {}) {
    redis.defineCommand('webhookSlotAcquire', { numberOfKeys: 1, lua: ACQUIRE_SCRIPT });
    this.#redis = redis as ScriptedRedis;
    this.#limit = options.slotsPerWebhook ?? DEFAULT_SLOTS_PER_WEBHOOK;
    this.#leaseMs = options.leaseMs ?? DEFAULT_SLOT_LEASE_MS;
    this.#prefix = options.prefix ?? 'webhooks';
    this.#waitMs = options.waitMs ?? 0;
    this.#pollMs = options.pollMs ?? 10;
    if (!Number.isInteger(this.#limit) || this.#limit < 1) {
      throw new RangeError(`slots per webhook must be a positive integer, got ${this.#limit}`);
    }
  }

  async acquire(webhookId: string): Promise<(() => Promise<void>) | undefined> {
    const key = `${this.#prefix}:webhook-slots:${webhookId}`;
    const holder = randomUUID();
    const giveUpAt = Date.now() + this.#waitMs;
    while ((await this.#redis.webhookSlotAcquire(key, this.#limit, this.#leaseMs, holder)) !== 1) {
      if (Date.now() + this.#pollMs > giveUpAt) return undefined;
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await this.#redis.zrem(key, holder);
    };
  }
}
