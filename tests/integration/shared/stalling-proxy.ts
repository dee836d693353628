import { createServer, connect, type Socket } from 'node:net';

export interface StallingProxy {
  url: string;
  /** Holds every byte sent to Redis until `resume()`: Redis seems slow, but replies stay in order. */
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of the run's Redis that can make it hang without touching Redis itself. */
export async function startStallingProxy(redisUrl: string): Promise<StallingProxy> {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  const held: Array<() => void> = [];
  let stalled = false;

  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      if (stalled) held.push(() => upstream.write(chunk));
      else upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');

  return {
    url: `redis://127.0.0.1:${address.port}`,
    stall: () => {
      stalled = true;
    },
    resume: () => {
      stalled = false;
      for (const write of held.splice(0)) write();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
