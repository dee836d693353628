import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisEndpointSlots } from '../../../../src/modules/webhooks/adapters/delivery/redis-endpoint-slots.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../../../support/notifications/queue-keys.ts';

const prefix = uniqueQueuePrefix('webhook-slots');
const connections: Redis[] = [];
const connection = () => {
  const redis = new Redis(inject('redisUrl'));
  connections.push(redis);
  return redis;
};
let one: Redis;
let other: Redis;
beforeAll(() => {
  one = connection();
  other = connection();
});
afterAll(async () => {
  await flushQueueKeys(inject('redisUrl'), prefix);
  const open = connections.filter((redis) => redis.status !== 'end');
  await Promise.all(open.map((redis) => redis.quit()));
});

const slots = (redis: Redis, slotsPerWebhook = 4, leaseMs = 60_000) =>
  new RedisEndpointSlots(redis, { slotsPerWebhook, leaseMs, prefix });

describe('RedisEndpointSlots', () => {
  it('waits up to waitMs for a slot: takes one freed meanwhile, else gives up after waitMs', async () => {
    const webhook = randomUUID();
    const pool = new RedisEndpointSlots(one, { slotsPerWebhook: 1, prefix, waitMs: 300 });
    const release = await pool.acquire(webhook);
    expect(release).toBeTypeOf('function');

    let started = Date.now();
    expect(await pool.acquire(webhook)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);

    started = Date.now();
    setTimeout(() => void release!(), 100);
    const next = await pool.acquire(webhook);
    expect(next).toBeTypeOf('function');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(250);
  });

  it('hands out N slots per webhook and refuses the N+1st', async () => {
    const webhook = randomUUID();
    const pool = slots(one, 4);

    const held = await Promise.all(Array.from({ length: 4 }, () => pool.acquire(webhook)));

    expect(held.every((release) => typeof release === 'function')).toBe(true);
    expect(await pool.acquire(webhook)).toBeUndefined();
    expect(await pool.acquire(randomUUID())).toBeTypeOf('function');
  });

  it('frees a slot when it is released, once even if released twice', async () => {
    const webhook = randomUUID();
    const pool = slots(one, 2);
    const first = (await pool.acquire(webhook))!;
    await pool.acquire(webhook);

    await first();
    await first();

    const third = await pool.acquire(webhook);
    expect(third).toBeTypeOf('function');
    expect(await pool.acquire(webhook)).toBeUndefined();
  });

  it('shares the limit between processes, even when they race', async () => {
    const webhook = randomUUID();
    const here = slots(one, 4);
    const there = slots(other, 4);

    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? here : there).acquire(webhook)),
    );

    expect(attempts.filter(Boolean)).toHaveLength(4);
  });

  it('frees the slot of a holder that died once its lease has run out', async () => {
    const webhook = randomUUID();
    const dying = connection();
    await slots(dying, 1, 300).acquire(webhook);
    dying.disconnect();
    const survivor = slots(other, 1, 300);

    expect(await survivor.acquire(webhook)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 400));

    expect(await survivor.acquire(webhook)).toBeTypeOf('function');
  });

  it('leaves no key behind once every lease has ended', async () => {
    const webhook = randomUUID();
    await slots(one, 2, 200).acquire(webhook);
    const keys = await one.keys(`${prefix}:webhook-slots:${webhook}`);
    expect(keys).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(await one.exists(`${prefix}:webhook-slots:${webhook}`)).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => slots(one, 0)).toThrow(RangeError);
  });
});
