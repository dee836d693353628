import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { LiveConnection } from '../../../src/modules/notifications/adapters/realtime/live-connection.ts';
import type { Notification } from '../../../src/modules/notifications/domain/notification.ts';

const USER = 'user-1';

const aNotification = (seq: number): Notification => ({
  id: `n-${seq}`,
  userId: USER,
  seq,
  type: 'task.commented',
  taskId: 'task-1',
  actorId: 'someone',
  data: { title: 'Report', comment_id: `c-${seq}` },
  readAt: null,
  createdAt: new Date('2026-11-22T10:00:00Z'),
});

/** Records frames; `bufferedAmount` is what the test says is still waiting to be written. */
class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: number[] = [];
  send(frame: string) {
    const { data } = JSON.parse(frame) as { data: { id: string } };
    this.sent.push(Number(data.id.slice(2)));
  }
  terminate() {
    this.readyState = 3;
  }
}

function setUp(stored: number[], afterSeq: number, failReads = false) {
  const socket = new FakeSocket();
  const reads: number[] = [];
  const dropped: string[] = [];
  const connection = new LiveConnection(
    socket as unknown as WebSocket,
    { userId: USER, sessionId: 's-1' },
    afterSeq,
    {
      read: async (_userId, after, limit) => {
        if (failReads) throw new Error('database down');
        reads.push(after);
        return stored
          .filter((seq) => seq > after)
          .slice(0, limit)
          .map(aNotification);
      },
      maxBufferedBytes: 1_000,
      catchUpBatch: 2,
      onDropped: (reason) => dropped.push(reason),
    },
  );
  return { socket, connection, reads, dropped };
}

describe('LiveConnection', () => {
  it('replays what was missed in batches, then skips live ones it already sent', async () => {
    const { socket, connection } = setUp([1, 2, 3, 4, 5], 1);
    connection.catchUp();
    connection.deliver([aNotification(4), aNotification(5)]);
    await connection.idle();
    expect(socket.sent).toEqual([2, 3, 4, 5]);
  });

  it('sends the next live notification at once and reads the inbox only after a gap', async () => {
    const { socket, connection, reads } = setUp([1, 2, 3, 4], 1);
    connection.deliver([aNotification(2)]);
    await connection.idle();
    expect(reads).toEqual([]);

    connection.deliver([aNotification(4)]);
    await connection.idle();
    expect(reads).toEqual([2, 4]);
    expect(socket.sent).toEqual([2, 3, 4]);
    connection.deliver([aNotification(3)]);
    await connection.idle();
    expect(socket.sent).toEqual([2, 3, 4]);
  });

  it('delivers a batch in sequence order whatever order it came in', async () => {
    const { socket, connection } = setUp([1, 2, 3], 0);
    connection.deliver([aNotification(3), aNotification(1), aNotification(2)]);
    await connection.idle();
    expect(socket.sent).toEqual([1, 2, 3]);
  });

  it('drops a client that falls too far behind', async () => {
    const { socket, connection, dropped } = setUp([1, 2, 3], 0);
    socket.bufferedAmount = 5_000;
    connection.deliver([aNotification(1), aNotification(2)]);
    await connection.idle();
    expect(socket.sent).toEqual([1]);
    expect(socket.readyState).toBe(3);
    expect(dropped).toEqual(['slow']);
  });

  it('drops the socket when reading the inbox fails, rather than skip what it could not read', async () => {
    const { socket, connection, dropped } = setUp([], 0, true);
    connection.deliver([aNotification(2)]);
    await connection.idle();
    expect(socket.readyState).toBe(3);
    expect(dropped).toEqual(['error']);
  });
});
