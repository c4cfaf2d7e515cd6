import { createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A loopback port with nothing listening on it (taken from the OS, then released): connecting
 * is refused at once, like an SMTP server that is down.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
  return port;
}

/**
 * A loopback server that accepts connections and never says a word, like a mail server that is
 * frozen: a client waits for a greeting that does not come. `stop` drops the held connections.
 */
export async function silentServer(): Promise<{
  port: number;
  connections: () => number;
  stop: () => Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => accepted,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
