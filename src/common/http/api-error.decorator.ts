import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponse } from '../dto/message.response.js';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** Documents an error response in Nest's standard shape with an example message. */
export const ApiError = (
  status: HttpStatus,
  description: string,
  message: string | string[],
): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiResponse({
      status,
      description,
      type: ErrorResponse,
      example: { statusCode: status, error: REASONS[status] ?? 'Error', message },
    }),
  );

/** The errors every JSON endpoint can answer with for a bad body. */
export const ApiBodyErrors = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiError(413, 'The body is larger than 16 KiB.', 'Request body is too large.'),
    ApiError(
      415,
      'The body is not JSON.',
      'Request body must be JSON (Content-Type: application/json).',
    ),
  );
