import { after } from 'node:test';
import { OpenAPIBackend, SetMatchType, type Document } from 'openapi-backend';

/** One request and the response the service gave, as the test client saw them. */
export interface Exchange {
  method: string;
  /** As requested: `/api/users/login/`, `/health?x=1`. */
  path: string;
  status: number;
  headers: Headers;
  text: string;
}

/** Where a client's document comes from, and which variant of it the service serves. */
export interface DocumentSource {
  /** The development outbox is served: the document lists `GET /dev/outbox.json`. */
  outboxServed: boolean;
  /** The document, built or fetched from a running instance of the service. */
  load(): Promise<unknown>;
}

/** The answers the document describes; the rest (Swagger UI, the outbox page) are not the API's. */
const API_PATHS = /^\/(?:api\/|health\/?$|dev\/outbox\.json\/?$)/;

/**
 * Headers whose meaning a client relies on: when the service sends one, the document must list
 * it for that response. `Cache-Control` counts on success answers, which carry tokens or account
 * data; on an error it is incidental (Nest sets a route's `@Header()`s before its pipes run).
 */
const MEANINGFUL_HEADERS = [
  'retry-after',
  'www-authenticate',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
];
const MEANINGFUL_ON_SUCCESS = ['cache-control'];

/** The formats the document uses; ajv knows none of them by itself. */
const FORMATS: Record<string, (value: string) => boolean> = {
  uuid: (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
  email: (value) => /^[^\s@]+@[^\s@]+$/.test(value),
  'date-time': (value) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/.test(value) &&
    !Number.isNaN(Date.parse(value)),
};

interface Operation {
  operationId?: string;
  responses: Record<
    string,
    { content?: Record<string, unknown>; headers?: Record<string, unknown> }
  >;
}

interface AjvError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** What the responses of this process came to, for the summary line. */
const tally = { validated: 0, unrouted: 0, mismatches: [] as string[] };

// One line per test file (each runs in a process of its own), and a failure for any mismatch a
// test caught without failing (`Promise.allSettled`, a `.catch`).
after(() => {
  if (tally.validated + tally.unrouted === 0) return;
  console.log(
    `openapi: ${tally.validated} responses validated against the document` +
      (tally.unrouted ? `, ${tally.unrouted} to routes it does not list (all 404)` : ''),
  );
  if (tally.mismatches.length > 0) {
    throw new Error(
      `${tally.mismatches.length} responses did not match the OpenAPI document:\n` +
        tally.mismatches.join('\n'),
    );
  }
});

function describeErrors(errors: AjvError[] | null | undefined): string {
  return (errors ?? [])
    .map((error) => {
      const where = error.instancePath || '(body)';
      const detail = error.params?.additionalProperty ?? error.params?.allowedValues;
      return `${where} ${error.message ?? 'is invalid'}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`;
    })
    .join('; ');
}

/**
 * The OpenAPI document of the service, as a check that every response a test gets is one the
 * document describes: the operation (method and path, with or without the trailing slash), the
 * status, the body against that status's schema, the documented headers (present when required,
 * valid when present), and no meaningful header left undocumented.
 */
export class OpenApiContract {
  private readonly operations = new Map<string, Operation>();
  /** Operations whose path has parameters (`/sessions/{id}/`), matched by pattern. */
  private readonly templated: { method: string; pattern: RegExp; operation: Operation }[] = [];

  private constructor(
    private readonly backend: OpenAPIBackend,
    document: { paths: Record<string, Record<string, Operation>> },
  ) {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const key = withoutTrailingSlash(path);
        this.operations.set(`${method.toUpperCase()} ${key}`, operation);
        if (key.includes('{')) {
          const pattern = new RegExp(`^${key.replace(/\{[^/}]+\}/g, '[^/]+')}$`);
          this.templated.push({ method: method.toUpperCase(), pattern, operation });
        }
      }
    }
  }

  static async create(document: unknown): Promise<OpenApiContract> {
    const definition = structuredClone(document) as Document;
    const backend = new OpenAPIBackend({
      definition,
      strict: true,
      // Validators compiled as operations are first met, and no check of the document itself
      // (openapi-lint.e2e.test.ts lints it): seconds less for each test file.
      quick: true,
      customizeAjv: (ajv) => {
        for (const [name, validate] of Object.entries(FORMATS)) ajv.addFormat(name, validate);
        return ajv;
      },
    });
    await backend.init();
    return new OpenApiContract(
      backend,
      backend.definition as unknown as { paths: Record<string, Record<string, Operation>> },
    );
  }

  /**
   * Checks one exchange; throws, naming the method, the path, the status and what does not match.
   * Answers outside the API (Swagger UI, the outbox page) are not checked.
   */
  verify(exchange: Exchange): void {
    const problems = this.check(exchange);
    if (problems.length === 0) return;
    const body = exchange.text.length > 600 ? `${exchange.text.slice(0, 600)}…` : exchange.text;
    const mismatch =
      `${exchange.method} ${exchange.path} → ${exchange.status} does not match the OpenAPI document: ` +
      `${problems.join('; ')}\n  body: ${body}`;
    tally.mismatches.push(mismatch);
    throw new Error(mismatch);
  }

  /** What does not match the document in one exchange: nothing when it conforms. */
  check(exchange: Exchange): string[] {
    const { pathname } = new URL(exchange.path, 'http://service');
    if (!API_PATHS.test(pathname)) return [];
    const method = exchange.method.toUpperCase();
    const operation = this.operationOf(method, withoutTrailingSlash(pathname));
    if (!operation) {
      tally.unrouted += 1;
      return exchange.status === 404
        ? []
        : [`the document lists no ${method} ${pathname}, yet the service answered it`];
    }
    tally.validated += 1;
    const response = operation.responses[String(exchange.status)];
    if (!response) {
      return [
        `status ${exchange.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`,
      ];
    }
    return [
      ...this.bodyProblems(exchange, operation, response),
      ...this.headerProblems(exchange, operation, response),
    ];
  }

  private operationOf(method: string, path: string): Operation | undefined {
    return (
      this.operations.get(`${method} ${path}`) ??
      this.templated.find((entry) => entry.method === method && entry.pattern.test(path))?.operation
    );
  }

  private bodyProblems(
    exchange: Exchange,
    operation: Operation,
    response: Operation['responses'][string],
  ): string[] {
    if (!response.content) {
      return exchange.text === '' ? [] : ['a body was sent where the document has none'];
    }
    const contentType = exchange.headers.get('content-type') ?? '';
    if (!contentType.startsWith('application/json')) {
      return [`Content-Type is "${contentType}", the document says application/json`];
    }
    let body: unknown;
    try {
      body = JSON.parse(exchange.text);
    } catch {
      return ['the body is not JSON'];
    }
    const result = this.backend.validateResponse(body, operation.operationId!, exchange.status);
    return result.valid ? [] : [`body: ${describeErrors(result.errors)}`];
  }

  private headerProblems(
    exchange: Exchange,
    operation: Operation,
    response: Operation['responses'][string],
  ): string[] {
    const headers = Object.fromEntries(exchange.headers);
    const result = this.backend.validateResponseHeaders(headers, operation.operationId!, {
      statusCode: exchange.status,
      setMatchType: SetMatchType.Superset,
    });
    const problems = result.valid ? [] : [`headers: ${describeErrors(result.errors)}`];
    const documented = new Set(
      Object.keys(response.headers ?? {}).map((name) => name.toLowerCase()),
    );
    const meaningful =
      exchange.status < 300
        ? [...MEANINGFUL_HEADERS, ...MEANINGFUL_ON_SUCCESS]
        : MEANINGFUL_HEADERS;
    for (const name of meaningful) {
      if (exchange.headers.has(name) && !documented.has(name)) {
        problems.push(`header ${name}: ${exchange.headers.get(name)} is sent but not documented`);
      }
    }
    return problems;
  }
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

const contracts = new Map<boolean, Promise<OpenApiContract>>();

/**
 * The contract of the service a client talks to, loaded once per process for each variant of the
 * document (with or without the development outbox).
 */
export function contractFor(source: DocumentSource): Promise<OpenApiContract> {
  let contract = contracts.get(source.outboxServed);
  if (!contract) {
    contract = source.load().then((document) => OpenApiContract.create(document));
    // A failed load is not kept: the next app tries again, and its test reports the error.
    contract.catch(() => contracts.delete(source.outboxServed));
    contracts.set(source.outboxServed, contract);
  }
  return contract;
}
