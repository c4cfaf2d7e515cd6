import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/bootstrap/create-app.js';
import type { AppConfig, Environment } from '../../src/config/environment.js';
import { loadAppConfig } from '../../src/config/load-app-config.js';
import type { DataSource } from 'typeorm';
import { OTP_AUTH_DATA_SOURCE } from '../../src/database/otp-auth-repositories.js';
import { CapturedLogger } from './captured-logger.js';

/** A secret for tests only; production refuses nothing shorter than 32 bytes either. */
export const TEST_JWT_SECRET = 'test-secret-for-otp-auth-e2e-0123456789abcdef';

/**
 * The fields tests read in a JSON body by default: Nest's error shape and the API's answers.
 * A request that expects something else names its own type (`app.get<Health>(…)`).
 */
export interface ApiBody {
  statusCode?: number;
  error?: string;
  message?: string | string[];
  attempts_remaining?: number;
  expires_in?: number;
  user?: { id: string; email: string; full_name: string };
  [field: string]: unknown;
}

/** A response as the tests look at it; `body` is the parsed JSON, or the text when it is not JSON. */
export interface TestResponse<T = ApiBody> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * The real service, listening on a loopback port, on its own SQLite file in a temp directory.
 * `env` holds the variables a test sets, as an operator would.
 */
export class TestApp {
  /**
   * Every line the app logs. Nest's `Logger` instances write to the logger of the app started
   * last in the process, so a test that reads the logs keeps one app alive at a time.
   */
  readonly logger = new CapturedLogger();
  app!: NestFastifyApplication;
  config!: AppConfig;
  baseUrl = '';
  /** The directory of the app's SQLite file; removed by `close()` unless told to keep it. */
  dataDir = '';

  /**
   * Starts the app. With `dataDir` (the `dataDir` of an app closed with `keepData`), it runs on
   * that app's SQLite file, as the same service would after a restart.
   */
  static async start(env: Environment = {}, options: { dataDir?: string } = {}): Promise<TestApp> {
    const testApp = new TestApp();
    await testApp.boot(env, options.dataDir);
    return testApp;
  }

  private async boot(env: Environment, dataDir?: string): Promise<void> {
    this.dataDir = dataDir ?? mkdtempSync(join(tmpdir(), 'otp-auth-test-'));
    this.config = loadAppConfig({
      NODE_ENV: 'test',
      DATABASE_URL: `sqlite:${join(this.dataDir, 'otp-auth.sqlite')}`,
      JWT_SECRET: TEST_JWT_SECRET,
      RATE_LIMIT_PER_IP: '100000',
      ...env,
    });
    this.app = await createApp(this.config, { logger: this.logger });
    await this.app.listen({ port: 0, host: '127.0.0.1' });
    this.baseUrl = await this.app.getUrl();
  }

  /**
   * Sends a request. A `body` that is an object (or any other non-string) is sent as JSON; a
   * string is sent as it is (fetch labels it `text/plain` unless `headers` say otherwise); bytes
   * are sent with no `Content-Type` at all.
   */
  async request<T = ApiBody>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; token?: string } = {},
  ): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Uint8Array | undefined;
    if (options.body instanceof Uint8Array || typeof options.body === 'string') {
      body = options.body;
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  post<T = ApiBody>(
    path: string,
    body?: unknown,
    options: { headers?: Record<string, string>; token?: string } = {},
  ) {
    return this.request<T>('POST', path, { ...options, body });
  }

  get<T = ApiBody>(
    path: string,
    options: { headers?: Record<string, string>; token?: string } = {},
  ) {
    return this.request<T>('GET', path, options);
  }

  /**
   * A provider of the running app, for the few facts the HTTP API does not show (the stored row of
   * a user, say). Tests use it to look, not to drive the flow.
   */
  provider<T>(token: abstract new (...args: never[]) => T): T {
    return this.app.get(token, { strict: false });
  }

  /** The TypeORM connection the module uses (its own, named `otp-auth`, in the service). */
  dataSource(): DataSource {
    return this.app.get<DataSource>(OTP_AUTH_DATA_SOURCE, { strict: false });
  }

  /** Stops the app and removes its data, unless `keepData` leaves it for a restart. */
  async close(options: { keepData?: boolean } = {}): Promise<void> {
    await this.app?.close();
    if (!options.keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
