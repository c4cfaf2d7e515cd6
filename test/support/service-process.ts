import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseEnvironment, type Environment } from '../../src/config/environment.js';
import { contractFor } from './openapi-contract.js';
import { ApiClient, TEST_JWT_SECRET } from './test-app.js';

/** The Node 24 binary of the `node` devDependency, the one `npm start` uses. */
export const NODE_BINARY = fileURLToPath(
  new URL('../../../node_modules/.bin/node', import.meta.url),
);
/**
 * The service's entry point as `npm test` compiled it (tsc, from the same sources as `dist/`),
 * so that the tests never run a stale build and need no `nest build` of their own.
 */
export const SERVICE_MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

const START_TIMEOUT_MS = 30_000;

/** How a service process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The built service (`node main.js`) in a process of its own, as an operator runs it: one
 * instance of several behind a load balancer, or one to kill and restart. Each process has its
 * own Nest logger and passport registry, which apps sharing one test process would not.
 */
export class ServiceProcess extends ApiClient {
  /** Everything the process wrote to stdout and stderr. */
  output = '';
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private running = true;

  private constructor(
    private readonly env: Environment,
    cwd: string,
  ) {
    super();
    this.child = spawn(NODE_BINARY, [SERVICE_MAIN], {
      cwd,
      // Only what the test sets: no .env of the developer, no variable of the test process.
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    // 'close', not 'exit': the process may exit before its last output has been read, and a
    // refused start is judged by that output.
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code, signal) => {
        this.running = false;
        ServiceProcess.all.delete(this);
        resolve({ code, signal });
      }),
    );
    ServiceProcess.all.add(this);
  }

  /** Every process started and still running, killed if the test process exits first. */
  private static readonly all = new Set<ServiceProcess>();
  static {
    process.on('exit', () => {
      for (const service of ServiceProcess.all) service.child.kill('SIGKILL');
    });
  }

  /**
   * Starts the service in `cwd` with `env` (on top of a test secret, no per-IP limit, any free
   * port) without waiting: for a start that is to fail, read `output` once `exited` resolves.
   */
  static launch(env: Environment, cwd: string): ServiceProcess {
    return new ServiceProcess(
      {
        PATH: process.env.PATH ?? '',
        NO_COLOR: '1',
        NODE_ENV: 'test',
        JWT_SECRET: TEST_JWT_SECRET,
        RATE_LIMIT_PER_IP: '100000',
        PORT: '0',
        ...env,
      },
      cwd,
    );
  }

  /**
   * Starts the service in `cwd` with `env` (on top of a test secret, no per-IP limit, any free
   * port) and waits until it listens.
   */
  static async start(env: Environment, cwd: string): Promise<ServiceProcess> {
    const service = ServiceProcess.launch(env, cwd);
    const started = Date.now();
    while (!/listening on http:\/\/\S+:\d+/.test(service.output)) {
      if (!service.running || Date.now() - started > START_TIMEOUT_MS) {
        service.child.kill('SIGKILL');
        throw new Error(`the service did not start:\n${service.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const port = /listening on http:\/\/\S+:(\d+)/.exec(service.output)![1];
    service.baseUrl = `http://127.0.0.1:${port}`;
    const config = service.config();
    // A service that serves no document (production) has nothing to check its answers against.
    if (!config.http.docsEnabled) return service;
    try {
      service.contract = await contractFor({
        outboxServed: config.otpAuth.mail.outboxEnabled,
        load: async () => (await fetch(`${service.baseUrl}/docs-json`)).json(),
      });
    } catch (error) {
      service.child.kill('SIGKILL');
      throw error;
    }
    return service;
  }

  /** The configuration the process runs with (it started, so it is valid). */
  private config() {
    return parseEnvironment(this.env, { developmentSecret: () => TEST_JWT_SECRET });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Sends `signal` and waits for the process to end; rejects if it is still running after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<ProcessExit> {
    if (this.running) this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.exited,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`still running ${timeoutMs} ms after ${signal}`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** `kill -9`: the process ends at once, whatever it was doing. */
  async kill(): Promise<ProcessExit> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }
}
