import type { Redis } from 'ioredis';
import { createHash, randomBytes } from 'node:crypto';
import type { SessionPrincipal, WsTickets } from '../../application/ports.ts';

const TICKET = /^[A-Za-z0-9_-]{43}$/;

/**
 * Tickets in Redis under the SHA-256 of the ticket (a dump of Redis reveals no usable ticket), with
 * the TTL as their expiry. GETDEL reads and deletes in one step: of two racing redeems, one wins.
 */
export class RedisWsTickets implements WsTickets {
  private readonly redis: Redis;

  constructor(redis: Redis) {
    this.redis = redis;
  }

  async issue(principal: SessionPrincipal, ttlSeconds: number): Promise<string> {
    const ticket = randomBytes(32).toString('base64url');
    const value = JSON.stringify({ userId: principal.userId, sessionId: principal.sessionId });
    await this.redis.set(keyOf(ticket), value, 'EX', ttlSeconds);
    return ticket;
  }

  async redeem(ticket: string): Promise<SessionPrincipal | undefined> {
    if (!TICKET.test(ticket)) return undefined;
    const value = await this.redis.getdel(keyOf(ticket));
    if (value === null) return undefined;
    const { userId, sessionId } = JSON.parse(value) as Partial<SessionPrincipal>;
    return typeof userId === 'string' && typeof sessionId === 'string'
      ? { userId, sessionId }
      : undefined;
  }
}

function keyOf(ticket: string): string {
  return `ws-ticket:${createHash('sha256').update(ticket).digest('hex')}`;
}
