import type { SessionStatusCache } from '../../../src/modules/identity/application/ports.ts';

/** Caches answers forever until told a session was revoked, like the real cache within its TTL. */
export class InMemorySessionStatusCache implements SessionStatusCache {
  private readonly known = new Map<string, boolean>();

  async isActive(sessionId: string, load: () => Promise<boolean>): Promise<boolean> {
    const cached = this.known.get(sessionId);
    if (cached !== undefined) return cached;
    const active = await load();
    this.known.set(sessionId, active);
    return active;
  }

  async markRevoked(sessionIds: string[]): Promise<void> {
    for (const id of sessionIds) this.known.set(id, false);
  }

  isKnownRevoked(sessionId: string): boolean {
    return this.known.get(sessionId) === false;
  }
}
