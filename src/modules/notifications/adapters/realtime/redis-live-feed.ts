import type { Redis } from 'ioredis';
import { currentTraceCarrier } from '../../../../shared/infra/tracing.ts';
import type { LiveFeed } from '../../application/ports.ts';
import type { Notification } from '../../domain/notification.ts';
import { encodeLiveMessage, LIVE_CHANNEL } from './live-message.ts';

/**
 * Publishes on one Redis channel that every API instance subscribes to; each forwards what
 * concerns its own sockets. Pub/sub is at most once: what a blip loses, a socket picks up from
 * the inbox (it notices the gap in `seq`, or resumes with `?after=` on reconnect).
 */
export class RedisLiveFeed implements LiveFeed {
  private readonly redis: Redis;
  private readonly channel: string;

  constructor(redis: Redis, channel = LIVE_CHANNEL) {
    this.redis = redis;
    this.channel = channel;
  }

  async publish(notifications: readonly Notification[]): Promise<void> {
    if (notifications.length === 0) return;
    await this.redis.publish(this.channel, encodeLiveMessage(notifications, currentTraceCarrier()));
  }
}
