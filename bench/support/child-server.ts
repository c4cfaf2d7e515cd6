import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free loopback port (bound and released at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ChildServerOptions {
  /** Script run by this Node binary (the bench's own: Node 24 through the `node` dev dependency). */
  script: string;
  env: NodeJS.ProcessEnv;
  port: number;
  /** A path answering 200 once the server is ready. */
  readyPath: string;
  /** Where stdout and stderr go; the service logs as it would in production. */
  logFile: string;
  nodeArgs?: string[];
  cwd?: string;
  /** SIGTERM by default; a profiled server is stopped with SIGUSR2 (see exit-on-sigusr2.ts). */
  stopSignal?: NodeJS.Signals;
  /** A program and its arguments that run Node in turn (valgrind); Node itself when omitted. */
  launcher?: string[];
  /** How long the server may take to answer `readyPath` (60 s). */
  readyTimeoutMs?: number;
}

/** USER_HZ: 100 on Linux, whatever the kernel's own tick rate. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Reads a `Vm*` line of /proc/<pid>/status, in bytes. */
function procStatusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  if (kib === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kib) * 1024;
}

/** The kinds of thread {@link ChildServer.cpuSecondsByThread} tells apart. */
export const THREAD_KINDS = ['eventLoop', 'threadPool', 'v8', 'other'] as const;
export type ThreadKind = (typeof THREAD_KINDS)[number];

/** A count of zero for every kind of thread. */
export function zeroByThread(): Record<ThreadKind, number> {
  return { eventLoop: 0, threadPool: 0, v8: 0, other: 0 };
}

/** CPU time (user + system) in a proc(5) `stat` file, in seconds: its fields 14 and 15. */
function cpuSecondsIn(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8');
  // The command name may hold spaces; the fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function threadKind(name: string): ThreadKind {
  if (name === 'MainThread' || name === 'node') return 'eventLoop';
  if (name.startsWith('libuv-worker')) return 'threadPool';
  if (name.startsWith('V8') || name.startsWith('v8:')) return 'v8';
  return 'other';
}

/** A server under test in a process of its own, so that its memory and CPU are its own. */
export class ChildServer {
  private exited?: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    private readonly logFile: string,
    private readonly stopSignal: NodeJS.Signals,
  ) {}

  static async start(options: ChildServerOptions): Promise<ChildServer> {
    const log = openSync(options.logFile, 'a');
    const [command, ...args] = [
      ...(options.launcher ?? []),
      process.execPath,
      ...(options.nodeArgs ?? []),
      options.script,
    ];
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const server = new ChildServer(
      child,
      `http://127.0.0.1:${options.port}`,
      options.logFile,
      options.stopSignal ?? 'SIGTERM',
    );
    server.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await server.waitReady(options.readyPath, options.readyTimeoutMs ?? 60_000);
    return server;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Peak resident memory since the start or the last {@link resetPeakRss}, in bytes. */
  peakRss(): number {
    return procStatusBytes(this.pid, 'VmHWM');
  }

  rss(): number {
    return procStatusBytes(this.pid, 'VmRSS');
  }

  /** CPU time the server has used so far (user + system, all threads), in seconds. */
  cpuSeconds(): number {
    return cpuSecondsIn(`/proc/${this.pid}/stat`);
  }

  /**
   * CPU time so far (user + system, seconds) by kind of thread: the event loop (`MainThread`),
   * libuv's thread pool (`libuv-worker`: argon2, sqlite3, file I/O), V8's own threads (garbage
   * collection, compilation) and any other. Which part of a request's cost grew is what says
   * where to look: the event loop's JavaScript, or work handed to the pool.
   */
  cpuSecondsByThread(): Record<ThreadKind, number> {
    const totals = zeroByThread();
    const tasks = `/proc/${this.pid}/task`;
    for (const task of readdirSync(tasks)) {
      try {
        const name = readFileSync(`${tasks}/${task}/comm`, 'utf8').trim();
        totals[threadKind(name)] += cpuSecondsIn(`${tasks}/${task}/stat`);
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return totals;
  }

  /**
   * Waits until the server has stopped working off what a stopped load left queued (requests in
   * flight, argon2 jobs in the thread pool): at most `maxMs`, polling its CPU time.
   */
  async waitIdle(maxMs = 5_000): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline) {
      const before = this.cpuSeconds();
      await sleep(100);
      if (this.cpuSeconds() - before <= 0.01) return;
    }
  }

  /** Resets the peak to the current RSS (proc(5): writing 5 to clear_refs). */
  resetPeakRss(): void {
    writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
  }

  /** SIGTERM, as an orchestrator stops a container; SIGKILL when it does not exit in time. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(this.stopSignal);
    const exited = await Promise.race([this.exited, sleep(15_000).then(() => 'timeout' as const)]);
    if (exited === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  private async waitReady(path: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let stopped = false;
    void this.exited!.then(() => (stopped = true));
    while (Date.now() < deadline) {
      if (stopped) break;
      try {
        const response = await fetch(this.baseUrl + path, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    const tail = readFileSync(this.logFile, 'utf8').split('\n').slice(-15).join('\n');
    await this.stop();
    throw new Error(`server ${this.baseUrl} did not get ready; log tail:\n${tail}`);
  }
}
