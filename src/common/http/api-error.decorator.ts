import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { reasonPhrase, SERVICE_UNAVAILABLE } from './all-exceptions.filter.js';
import { BodyErrorMessages } from './body-errors.js';
import { ErrorResponse } from '../dto/message.response.js';

/** An error `message`: a string, or an array of strings for field validation errors. */
export type ErrorMessage = string | readonly string[];

/**
 * What an error response is documented with: one message, or several cases as
 * `{ "summary shown in Swagger UI's drop-down": message }`.
 */
export type ErrorExamples = ErrorMessage | Readonly<Record<string, ErrorMessage>>;

/** The example cases every JSON body can end in, for an endpoint's 400 (see `body-errors.ts`). */
export const MALFORMED_JSON: Readonly<Record<string, ErrorMessage>> = {
  'Malformed JSON': BodyErrorMessages.malformedJson,
};

/** The per-IP limit (`RATE_LIMIT_PER_IP`) of the public POST endpoints, for their 429. */
export const PER_IP_LIMIT: Readonly<Record<string, ErrorMessage>> = {
  'Per-IP limit': 'Too Many Requests',
};

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before trying again, when waiting helps.',
    schema: { type: 'integer', example: 60 },
  },
};

function errorBody(status: number, message: ErrorMessage) {
  return { statusCode: status, error: reasonPhrase(status), message };
}

function isSingleMessage(examples: ErrorExamples): examples is ErrorMessage {
  return typeof examples === 'string' || Array.isArray(examples);
}

/**
 * Documents an error response in Nest's standard shape, with one example body or a named example
 * per case. A 429 also documents its `Retry-After` header.
 */
export const ApiError = (
  status: HttpStatus,
  description: string,
  examples: ErrorExamples,
): MethodDecorator & ClassDecorator => {
  const common = {
    status,
    description,
    type: ErrorResponse,
    headers: status === HttpStatus.TOO_MANY_REQUESTS ? RETRY_AFTER : undefined,
  };
  if (isSingleMessage(examples)) {
    return applyDecorators(ApiResponse({ ...common, example: errorBody(status, examples) }));
  }
  const named = Object.fromEntries(
    Object.entries(examples).map(([summary, message]) => [
      summary,
      { summary, value: errorBody(status, message) },
    ]),
  );
  return applyDecorators(ApiResponse({ ...common, examples: named }));
};

/** The errors every JSON endpoint can answer with for a bad body. */
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
export const STORE_UNAVAILABLE: Readonly<Record<string, ErrorMessage>> = {
  'Store unavailable': SERVICE_UNAVAILABLE,
};

/**
 * The 503 of an endpoint whose state lives in the database or the cache: when either does not
 * answer, the request fails closed (SPEC "Tokens").
 */
export const ApiStoreUnavailable = (): MethodDecorator & ClassDecorator =>
  ApiError(
    503,
    'The database or the cache does not answer: the request fails closed.',
    SERVICE_UNAVAILABLE,
  );
