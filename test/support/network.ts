import { createServer, type AddressInfo } from 'node:net';

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
