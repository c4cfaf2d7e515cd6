import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/bootstrap/create-app.js';
import type { AppConfig, Environment } from '../../src/config/environment.js';
import { loadAppConfig } from '../../src/config/load-app-config.js';
import { CapturedLogger } from './captured-logger.js';

/** A secret for tests only; production refuses nothing shorter than 32 bytes either. */
export const TEST_JWT_SECRET = 'test-secret-for-otp-auth-e2e-0123456789abcdef';

/** A response as the tests look at it. */
export interface TestResponse<T = any> {
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

  /** Sends a request; a `body` that is not a string is sent as JSON. */
  async request<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; token?: string } = {},
  ): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      if (typeof options.body !== 'string' && !headers['content-type']) {
        headers['content-type'] = 'application/json';
      }
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

  post<T = any>(
    path: string,
    body?: unknown,
    options: { headers?: Record<string, string>; token?: string } = {},
  ) {
    return this.request<T>('POST', path, { ...options, body });
  }

  get<T = any>(path: string, options: { headers?: Record<string, string>; token?: string } = {}) {
    return this.request<T>('GET', path, options);
  }

  /** Stops the app and removes its data, unless `keepData` leaves it for a restart. */
  async close(options: { keepData?: boolean } = {}): Promise<void> {
    await this.app?.close();
    if (!options.keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
