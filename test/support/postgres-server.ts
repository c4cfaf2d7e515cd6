import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closedPort } from './network.js';

const run = promisify(execFile);

/** Where Debian and Ubuntu put the server's binaries; `PG_BIN` says otherwise. */
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const SERVICE_USER = 'postgres';

/**
 * A PostgreSQL cluster of the test's own (`initdb` in a temp directory, a free loopback port,
 * trust authentication, no fsync): a test may stop it and start it again without touching the
 * shared server on 5432 that other test runs use. PostgreSQL refuses to run as root, so as root
 * the commands run as the `postgres` user.
 */
export class PostgresServer {
  private running = false;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** The superuser's URL to `database` on this server. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates and starts a cluster. */
  static async start(): Promise<PostgresServer> {
    const dir = mkdtempSync(join(tmpdir(), 'otp-auth-pg-'));
    if (process.getuid?.() === 0) chownSync(dir, uidOf(SERVICE_USER), gidOf(SERVICE_USER));
    const server = new PostgresServer(dir, await closedPort());
    PostgresServer.clusters.add(server);
    try {
      await server.pg('initdb', [
        '-D',
        server.dataDir,
        '-U',
        'postgres',
        '-A',
        'trust',
        '--no-sync',
        '--no-instructions',
      ]);
      await server.restart();
    } catch (error) {
      await server.remove();
      throw error;
    }
    return server;
  }

  private static readonly clusters = new Set<PostgresServer>();
  static {
    // A cluster left running by a test that crashed would outlive it: stop it on the way out.
    process.on('exit', () => {
      for (const server of PostgresServer.clusters) server.stopNow();
    });
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** Starts the server (again) and waits until it accepts connections. */
  async restart(): Promise<void> {
    await this.pg('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
      '-w',
      '-t',
      '30',
      'start',
    ]);
    this.running = true;
  }

  /**
   * Stops the server the hard way (`immediate`: every backend is killed, open connections break,
   * as when the database host goes down) and waits until it is gone.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    this.running = false;
  }

  /**
   * Freezes every process of the cluster (SIGSTOP): connections stay open, nothing answers,
   * new connections are not accepted.
   */
  pause(): void {
    for (const pid of this.processes()) process.kill(pid, 'SIGSTOP');
  }

  /** Lets a frozen cluster go on. */
  resume(): void {
    for (const pid of this.processes()) process.kill(pid, 'SIGCONT');
  }

  /** Stops the server and removes the cluster. */
  async remove(): Promise<void> {
    try {
      await this.stop();
    } finally {
      PostgresServer.clusters.delete(this);
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** The postmaster and its children (backends, background workers). */
  private processes(): number[] {
    const postmaster = Number(
      readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    const children = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ')'.
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      })
      .map(Number);
    return [postmaster, ...children];
  }

  private stopNow(): void {
    if (!this.running) return;
    try {
      this.resume();
    } catch {
      // already gone
    }
    execFileSyncQuiet(this.command('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', 'stop']));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async pg(binary: string, args: string[]): Promise<void> {
    const [file, ...rest] = this.command(binary, args);
    await run(file, rest, { timeout: 60_000 });
  }

  /** The command line, through `runuser` when running as root. */
  private command(binary: string, args: string[]): string[] {
    const path = join(PG_BIN, binary);
    return process.getuid?.() === 0
      ? ['runuser', '-u', SERVICE_USER, '--', path, ...args]
      : [path, ...args];
  }
}

function execFileSyncQuiet(command: string[]): void {
  try {
    // Synchronous on purpose: this runs in the process's 'exit' handler.
    execFileSync(command[0], command.slice(1), { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // best effort on the way out
  }
}

function uidOf(user: string): number {
  return Number(passwdEntry(user)[2]);
}
function gidOf(user: string): number {
  return Number(passwdEntry(user)[3]);
}
function passwdEntry(user: string): string[] {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${user}:`));
  if (!line) throw new Error(`no user ${user} to run PostgreSQL as`);
  return line.split(':');
}
