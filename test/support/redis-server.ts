import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { closedPort } from './network.js';

const START_TIMEOUT_MS = 10_000;

/**
 * A Redis server of the test's own, on a free loopback port, with no persistence: a test may
 * stop it, hang it and bring it back without touching the shared Redis on 6379 that other test
 * runs use.
 */
export class RedisServer {
  private child?: ChildProcess;
  private static readonly running = new Set<ChildProcess>();
  static {
    process.on('exit', () => {
      for (const child of RedisServer.running) child.kill('SIGKILL');
    });
  }

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts a server on a free port. */
  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await closedPort());
    await server.restart();
    return server;
  }

  /** Starts the server (again) on its port, empty, and waits until it accepts connections. */
  async restart(): Promise<void> {
    if (this.child) throw new Error('the Redis server is already running');
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.child = child;
    RedisServer.running.add(child);
    child.on('exit', () => RedisServer.running.delete(child));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await accepts(this.port))) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`redis-server did not start on port ${this.port}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Kills the server (SIGKILL: a crash, or a host that vanished) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Lets a frozen server go on (SIGCONT). */
  resume(): void {
    this.child?.kill('SIGCONT');
  }
}

/** True when something accepts TCP connections on the loopback port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
