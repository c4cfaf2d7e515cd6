import { connect, type Socket } from 'node:net';

/** One command a Redis server ran, as `MONITOR` shows it. */
export interface MonitoredCommand {
  /** The command's name, lower case (`mget`). */
  name: string;
  /** Its arguments, as sent. */
  args: string[];
  /** The client that sent it (`127.0.0.1:54321`). */
  client: string;
}

/**
 * Every command a Redis server runs, as its `MONITOR` feed reports them, in the order it ran
 * them. {@link mark} sends a command of its own from another connection, so that a test can take
 * exactly the commands run between two marks: all that a request sent has run by the time its
 * answer arrives, and so before a mark sent afterwards.
 */
export class RedisMonitor {
  private readonly commands: MonitoredCommand[] = [];
  private buffer = '';
  private marks = 0;

  private constructor(
    private readonly feed: Socket,
    private readonly control: Socket,
  ) {
    feed.setEncoding('utf8');
    feed.on('data', (chunk: string) => this.read(chunk));
  }

  /** Starts watching the server on the loopback port. */
  static async start(port: number): Promise<RedisMonitor> {
    const [feed, control] = await Promise.all([open(port), open(port)]);
    control.resume(); // its answers (the marks echoed back) are not needed
    const monitor = new RedisMonitor(feed, control);
    feed.write('MONITOR\r\n');
    await monitor.mark();
    return monitor;
  }

  /**
   * Puts a mark into the feed and waits until the feed has shown it; returns its name, for
   * {@link between}.
   */
  async mark(): Promise<string> {
    const name = `otp-auth-test-mark-${++this.marks}`;
    this.control.write(`ECHO ${name}\r\n`);
    const deadline = Date.now() + 5_000;
    while (this.indexOf(name) < 0) {
      if (Date.now() > deadline) throw new Error(`the MONITOR feed never showed ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return name;
  }

  /** The commands run between two marks, without the marks. */
  between(from: string, to: string): MonitoredCommand[] {
    return this.commands.slice(this.indexOf(from) + 1, this.indexOf(to));
  }

  stop(): void {
    this.feed.destroy();
    this.control.destroy();
  }

  private indexOf(mark: string): number {
    return this.commands.findIndex(
      (command) => command.name === 'echo' && command.args[0] === mark,
    );
  }

  /** Lines such as `+1733526000.123456 [0 127.0.0.1:54321] "mget" "a" "b"`. */
  private read(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\r\n')) >= 0) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const match = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
      if (!match) continue; // the +OK that MONITOR answers first
      const words = [...match[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((word) => word[1]);
      this.commands.push({ name: words[0].toLowerCase(), args: words.slice(1), client: match[1] });
    }
  }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}
