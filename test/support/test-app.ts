import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/bootstrap/create-app.js';
import type { AppConfig, Environment } from '../../src/config/environment.js';
import { loadAppConfig } from '../../src/config/load-app-config.js';
import type { DataSource } from 'typeorm';
import { OTP_AUTH_DATA_SOURCE } from '../../src/database/otp-auth-repositories.js';
import { createOpenApiDocument } from '../../src/docs/swagger.js';
import { CapturedLogger } from './captured-logger.js';
import { contractFor, type OpenApiContract } from './openapi-contract.js';
import { createTestStorage, type TestStorage } from './test-storage.js';

/** How long a test request may take before the test gives up on it. */
const REQUEST_TIMEOUT_MS = 30_000;

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
 * HTTP access to a running service (an app in this process, or a service process): the tests'
 * helpers take one of these, so that they work against either. Every answer of the API is checked
 * against the service's OpenAPI document: one that does not match it throws (see
 * `openapi-contract.ts`), so the docs and the service cannot drift apart unnoticed.
 */
export class ApiClient {
  /**
   * @param baseUrl `http://127.0.0.1:<port>`, without a trailing slash.
   * @param defaultHeaders sent with every request (an `X-Forwarded-For`, say).
   * @param contract the service's OpenAPI document, which every answer must match.
   */
  constructor(
    public baseUrl = '',
    readonly defaultHeaders: Record<string, string> = {},
    protected contract?: OpenApiContract,
  ) {}

  /** A client of the same service that sends `headers` with every request. */
  withHeaders(headers: Record<string, string>): ApiClient {
    return new ApiClient(this.baseUrl, { ...this.defaultHeaders, ...headers }, this.contract);
  }

  /**
   * Sends a request. A `body` that is an object (or any other non-string) is sent as JSON; a
   * string is sent as it is (fetch labels it `text/plain` unless `headers` say otherwise); bytes
   * are sent with no `Content-Type` at all.
   */
  async request<T = ApiBody>(
    method: string,
    path: string,
    options: {
      body?: unknown;
      headers?: Record<string, string>;
      token?: string;
      /** Gives up (rejects) after this long; no test waits for ever. */
      timeoutMs?: number;
    } = {},
  ): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...this.defaultHeaders, ...options.headers };
    let body: string | Uint8Array | undefined;
    if (options.body instanceof Uint8Array || typeof options.body === 'string') {
      body = options.body;
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    this.contract?.verify({
      method,
      path,
      status: response.status,
      headers: response.headers,
      text,
    });
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
    options: { headers?: Record<string, string>; token?: string; timeoutMs?: number } = {},
  ) {
    return this.request<T>('POST', path, { ...options, body });
  }

  get<T = ApiBody>(
    path: string,
    options: { headers?: Record<string, string>; token?: string; timeoutMs?: number } = {},
  ) {
    return this.request<T>('GET', path, options);
  }
}

/**
 * The real service, listening on a loopback port, on storage of its own: a SQLite file in a temp
 * directory, or with `TEST_PROFILE=scaled` a fresh PostgreSQL database and Redis key prefix (see
 * `test-storage.ts`). `env` holds the variables a test sets, as an operator would.
 */
export class TestApp extends ApiClient {
  /**
   * Every line the app logs. Nest's `Logger` instances write to the logger of the app started
   * last in the process, so a test that reads the logs keeps one app alive at a time.
   */
  readonly logger = new CapturedLogger();
  app!: NestFastifyApplication;
  config!: AppConfig;
  /** Where the app keeps its state; removed by `close()` unless told to keep it. */
  storage!: TestStorage;

  /**
   * Starts the app. With `storage` (the `storage` of an app closed with `keepData`), it runs on
   * that app's database and state, as the same service would after a restart. With `port`, it
   * listens there (the port of an app closed before, for clients that keep its address).
   */
  static async start(
    env: Environment = {},
    options: { storage?: TestStorage; port?: number } = {},
  ): Promise<TestApp> {
    const testApp = new TestApp();
    await testApp.boot(env, options.storage, options.port);
    return testApp;
  }

  private async boot(env: Environment, storage?: TestStorage, port = 0): Promise<void> {
    this.storage = storage ?? (await createTestStorage());
    this.config = loadAppConfig({
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      RATE_LIMIT_PER_IP: '100000',
      ...this.storage.env,
      ...env,
    });
    try {
      this.app = await createApp(this.config, { logger: this.logger });
      await this.app.listen({ port, host: '127.0.0.1' });
      const outboxEnabled = this.config.otpAuth.mail.outboxEnabled;
      this.contract = await contractFor({
        outboxServed: outboxEnabled,
        // Built from this app, as /docs-json serves it (production apps serve none).
        load: () =>
          Promise.resolve(
            JSON.parse(JSON.stringify(createOpenApiDocument(this.app, { outboxEnabled }))),
          ),
      });
    } catch (error) {
      await this.app?.close();
      if (!storage) await this.storage.remove();
      throw error;
    }
    this.baseUrl = await this.app.getUrl();
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
    try {
      await this.app?.close();
    } finally {
      if (!options.keepData) await this.storage?.remove();
    }
  }
}
