import type { ApiResponseOptions, SchemaObject } from '@nestjs/swagger';
import { errorBodySchema, SHUTTING_DOWN } from '../common/http/api-error.decorator.js';
import type { DocumentedHeaders } from '../common/http/api-response-headers.js';

/** @nestjs/terminus's `@HealthCheck()` forbids caching the report. */
const NO_CACHE: DocumentedHeaders = {
  'Cache-Control': {
    description: 'The report is never cached.',
    required: true,
    schema: { type: 'string', enum: ['no-cache, no-store, must-revalidate'] },
  },
};

/** One checked component in @nestjs/terminus's report. */
const COMPONENT: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['up', 'down'] },
    message: { type: 'string', description: 'Why it is down, when the check tells.' },
    responseTime: { type: 'number', description: 'Milliseconds the check took.' },
  },
};

/** The components `/health` checks, by name; `required` lists those that must appear. */
function components(description: string, required: string[] = []): SchemaObject {
  return {
    type: 'object',
    description,
    additionalProperties: false,
    required,
    properties: { database: COMPONENT, cache: COMPONENT },
  };
}

/** `GET /health` when the database and the cache answer: @nestjs/terminus's report. */
export const HEALTH_UP: ApiResponseOptions = {
  status: 200,
  description: 'Everything answers.',
  headers: NO_CACHE,
  schema: {
    type: 'object',
    required: ['status', 'info', 'error', 'details'],
    additionalProperties: false,
    properties: {
      status: { type: 'string', enum: ['ok'] },
      info: components('The components that are up: all of them.', ['database', 'cache']),
      error: components('The components that are down: none.'),
      details: components('Every component and its state.', ['database', 'cache']),
    },
  },
  example: {
    status: 'ok',
    info: { database: { status: 'up', responseTime: 1 }, cache: { status: 'up' } },
    error: {},
    details: { database: { status: 'up', responseTime: 1 }, cache: { status: 'up' } },
  },
};

/**
 * terminus's report when a component does not answer, as the exception filter sends it: in Nest's
 * error shape, where `error` is the reason phrase (a string, not terminus's object of failures).
 */
const REPORT_DOWN: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'status', 'info', 'details'],
  additionalProperties: false,
  properties: {
    statusCode: { type: 'integer', enum: [503] },
    error: { type: 'string', enum: ['Service Unavailable'] },
    message: { type: 'string', enum: ['Service Unavailable'] },
    status: { type: 'string', enum: ['error'] },
    info: components('The components that are up.'),
    details: components('Every component and its state.', ['database', 'cache']),
  },
};

const SHUTDOWN_CASES = Object.values(SHUTTING_DOWN).map((message) => ({ message }));

/** `GET /health` when a component does not answer, or while the instance shuts down. */
export const HEALTH_DOWN: ApiResponseOptions = {
  status: 503,
  description:
    'The database or the cache does not answer: `details` names each component and its state, `info` ' +
    'lists those that are up. An instance that is shutting down answers in the plain error shape.',
  headers: {
    'Cache-Control': {
      ...NO_CACHE['Cache-Control'],
      description: 'The report is never cached (the answer of an instance shutting down has none).',
      required: false,
    },
  },
  schema: { oneOf: [REPORT_DOWN, errorBodySchema(503, SHUTDOWN_CASES)] },
  examples: {
    'A component is down': {
      summary: 'A component is down',
      value: {
        status: 'error',
        info: { database: { status: 'up', responseTime: 1 } },
        error: 'Service Unavailable',
        details: { database: { status: 'up', responseTime: 1 }, cache: { status: 'down' } },
        statusCode: 503,
        message: 'Service Unavailable',
      },
    },
    'Shutting down': {
      summary: 'Shutting down',
      value: { statusCode: 503, error: 'Service Unavailable', message: 'Service Unavailable' },
    },
  },
};
