import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { reasonPhrase, SERVICE_UNAVAILABLE } from './all-exceptions.filter.js';
import { RETRY_AFTER, WWW_AUTHENTICATE, type DocumentedHeaders } from './api-response-headers.js';
import { BodyErrorMessages } from './body-errors.js';

/** An error `message`: a string, or an array of strings for field validation errors. */
export type ErrorMessage = string | readonly string[];

/**
 * The fields an error body may carry besides Nest's three, each in the cases that name it:
 * documented once here, so that every response that has one describes it the same way.
 */
const CASE_FIELDS = {
  attempts_remaining: {
    type: 'integer',
    minimum: 0,
    description:
      'Wrong guesses left before the pending registration or e-mail change ends (`OTP_MAX_ATTEMPTS` in all).',
  },
} satisfies Record<string, SchemaObject>;

type CaseField = keyof typeof CASE_FIELDS;

/**
 * An error case with fields of its own besides the message (see `CASE_FIELDS`); a 5xx case may
 * show the `errorId` it was logged under.
 */
export type ErrorCase = { message: ErrorMessage; errorId?: string } & Partial<
  Record<CaseField, number>
>;

/**
 * What an error response is documented with: one message, or several cases as
 * `{ "summary shown in Swagger UI's drop-down": message or case }`.
 */
export type ErrorExamples = ErrorMessage | Readonly<Record<string, ErrorMessage | ErrorCase>>;

/** The example cases every JSON body can end in, for an endpoint's 400 (see `body-errors.ts`). */
export const MALFORMED_JSON: Readonly<Record<string, ErrorMessage>> = {
  'Malformed JSON': BodyErrorMessages.malformedJson,
};

/** The per-IP limit (`RATE_LIMIT_PER_IP`) of the public POST endpoints, for their 429. */
export const PER_IP_LIMIT: Readonly<Record<string, ErrorMessage>> = {
  'Per-IP limit': 'Too Many Requests',
};

/** What a request gets while the instance shuts down (Nest's Fastify adapter answers it). */
export const SHUTTING_DOWN: Readonly<Record<string, ErrorMessage>> = {
  'Shutting down': reasonPhrase(HttpStatus.SERVICE_UNAVAILABLE),
};

/** The headers every error of a status carries, whatever the endpoint. */
const HEADERS_BY_STATUS: Partial<Record<number, DocumentedHeaders>> = {
  [HttpStatus.UNAUTHORIZED]: WWW_AUTHENTICATE,
  [HttpStatus.TOO_MANY_REQUESTS]: RETRY_AFTER,
};

/** An example `errorId`, the id a 5xx is logged under (`all-exceptions.filter.ts`). */
const EXAMPLE_ERROR_ID = '0f5c2a4e-8d1b-4c3a-9e7f-2b6d8a1c4e90';

function caseOf(example: ErrorMessage | ErrorCase): ErrorCase {
  return typeof example === 'string' || Array.isArray(example)
    ? { message: example as ErrorMessage }
    : (example as ErrorCase);
}

/** The fields of its own a case has, in a stable order. */
function caseFieldsOf(errorCase: ErrorCase): CaseField[] {
  return (Object.keys(errorCase) as (keyof ErrorCase)[])
    .filter((field): field is CaseField => field in CASE_FIELDS)
    .sort();
}

const MESSAGE_SCHEMAS = {
  string: { type: 'string' },
  array: {
    type: 'array',
    minItems: 1,
    items: { type: 'string' },
    description: 'One line per problem, each naming its field.',
  },
} satisfies Record<string, SchemaObject>;

/**
 * The schema of one shape of error body: Nest's three fields, the message in the forms its cases
 * show (a string, an array of field errors, or either: `oneOf`), and the case's own fields
 * (required). Closed, so that the shapes of one response exclude each other and a stray field in
 * an error body fails validation. A 5xx may carry the `errorId` it was logged under.
 */
function shapeSchema(status: number, cases: readonly ErrorCase[]): SchemaObject {
  const caseFields = caseFieldsOf(cases[0]);
  const forms = [
    ...new Set(cases.map(({ message }) => (typeof message === 'string' ? 'string' : 'array'))),
  ];
  return {
    type: 'object',
    required: ['statusCode', 'error', 'message', ...caseFields],
    additionalProperties: false,
    properties: {
      statusCode: { type: 'integer', enum: [status] },
      error: { type: 'string', enum: [reasonPhrase(status)] },
      message:
        forms.length === 1
          ? MESSAGE_SCHEMAS[forms[0]]
          : { oneOf: forms.map((form) => MESSAGE_SCHEMAS[form]) },
      ...Object.fromEntries(caseFields.map((field) => [field, CASE_FIELDS[field]])),
      ...(status >= 500
        ? {
            errorId: {
              type: 'string',
              format: 'uuid',
              description:
                'When an unexpected fault caused it: the id it was logged under, to quote when reporting it.',
            },
          }
        : {}),
    },
  };
}

/**
 * The schema of the error bodies of a status, from its cases: one shape per set of fields of
 * their own (`oneOf` them when there are several, as confirm-otp's wrong code with
 * `attempts_remaining` beside its other 400s), so that every shape and message form has an example.
 */
export function errorBodySchema(status: number, cases: readonly ErrorCase[]): SchemaObject {
  const byFields = new Map<string, ErrorCase[]>();
  for (const errorCase of cases) {
    const key = caseFieldsOf(errorCase).join(',');
    byFields.set(key, [...(byFields.get(key) ?? []), errorCase]);
  }
  const shapes = [...byFields.values()].map((group) => shapeSchema(status, group));
  return shapes.length === 1 ? shapes[0] : { oneOf: shapes };
}

function errorBody(status: number, errorCase: ErrorCase): Record<string, unknown> {
  return { statusCode: status, error: reasonPhrase(status), ...errorCase };
}

/**
 * Documents an error response in Nest's standard shape, with one example body or a named example
 * per case; its schema admits exactly the shapes the examples show (a string message, an array of
 * field errors, a case with fields of its own), so that every shape has an example. A 401 also
 * documents `WWW-Authenticate`, a 429 `Retry-After`; `headers` adds others (the per-IP limit's).
 */
export const ApiError = (
  status: HttpStatus,
  description: string,
  examples: ErrorExamples,
  headers: DocumentedHeaders = {},
): MethodDecorator & ClassDecorator => {
  const single = typeof examples === 'string' || Array.isArray(examples);
  const named: [string, ErrorCase][] = single
    ? [['', caseOf(examples as ErrorMessage)]]
    : Object.entries(examples as Record<string, ErrorMessage | ErrorCase>).map(
        ([summary, example]) => [summary, caseOf(example)],
      );
  const allHeaders = { ...HEADERS_BY_STATUS[status], ...headers };
  const common = {
    status,
    description,
    schema: errorBodySchema(
      status,
      named.map(([, errorCase]) => errorCase),
    ),
    headers: Object.keys(allHeaders).length > 0 ? allHeaders : undefined,
  };
  if (single) {
    return ApiResponse({ ...common, example: errorBody(status, named[0][1]) });
  }
  return ApiResponse({
    ...common,
    examples: Object.fromEntries(
      named.map(([summary, errorCase]) => [
        summary,
        { summary, value: errorBody(status, errorCase) },
      ]),
    ),
  });
};

/**
 * The errors every endpoint can answer with for a body it cannot read: too large, or not JSON.
 * (Malformed JSON is a 400, documented with each endpoint's other 400s.)
 */
export const ApiBodyErrors = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiError(413, 'The body is larger than 16 KiB.', BodyErrorMessages.tooLarge),
    ApiError(
      415,
      'The body is not JSON (`Content-Type: application/json`).',
      BodyErrorMessages.notJson,
    ),
  );

/** The 503 of a request whose state is in a store (database or cache) that does not answer. */
export const STORE_UNAVAILABLE: Readonly<Record<string, ErrorMessage | ErrorCase>> = {
  'Store unavailable': { message: SERVICE_UNAVAILABLE, errorId: EXAMPLE_ERROR_ID },
  ...SHUTTING_DOWN,
};

/**
 * The 503 of an endpoint whose state lives in the database or the cache: when either does not
 * answer, the request fails closed (SPEC "Tokens"). An instance that is shutting down answers
 * 503 too, so that a load balancer tries another.
 */
export const ApiStoreUnavailable = (
  headers: DocumentedHeaders = {},
): MethodDecorator & ClassDecorator =>
  ApiError(
    503,
    'The database or the cache does not answer (the request fails closed), or this instance is shutting down.',
    STORE_UNAVAILABLE,
    headers,
  );
