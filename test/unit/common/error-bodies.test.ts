import {
  BadRequestException,
  ConflictException,
  HttpException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TooManyRequestsException } from '../../../src/common/errors/too-many-requests.exception.js';
import { httpExceptionBody } from '../../../src/common/http/all-exceptions.filter.js';
import { BodyErrorMessages, bodyErrorMessage } from '../../../src/common/http/body-errors.js';

describe('bodyErrorMessage', () => {
  const cases: [string, unknown, string][] = [
    [
      'Fastify invalid JSON',
      { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 },
      BodyErrorMessages.malformedJson,
    ],
    [
      'Fastify empty JSON body',
      { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 },
      BodyErrorMessages.malformedJson,
    ],
    [
      'Fastify bad content-length',
      { code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 },
      BodyErrorMessages.malformedJson,
    ],
    [
      'body-parser parse failure',
      { type: 'entity.parse.failed', status: 400 },
      BodyErrorMessages.malformedJson,
    ],
    [
      'a SyntaxError with status 400',
      Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }),
      BodyErrorMessages.malformedJson,
    ],
    ['Fastify body too large', { code: 'FST_ERR_CTP_BODY_TOO_LARGE' }, BodyErrorMessages.tooLarge],
    ['body-parser too large', { type: 'entity.too.large' }, BodyErrorMessages.tooLarge],
    ['any 413', { statusCode: 413 }, BodyErrorMessages.tooLarge],
    [
      'Fastify unsupported media type',
      { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' },
      BodyErrorMessages.notJson,
    ],
    [
      'body-parser unsupported encoding',
      { type: 'encoding.unsupported' },
      BodyErrorMessages.notJson,
    ],
    ['any 415', { statusCode: 415 }, BodyErrorMessages.notJson],
  ];
  for (const [what, cause, message] of cases) {
    it(`maps ${what} to "${message}"`, () => assert.equal(bodyErrorMessage(cause), message));
  }

  it('has fixed messages that say what went wrong', () => {
    assert.deepEqual(BodyErrorMessages, {
      malformedJson: 'Malformed JSON in request body.',
      tooLarge: 'Request body is too large.',
      notJson: 'Request body must be JSON (Content-Type: application/json).',
    });
  });

  for (const [what, cause] of [
    ['an ordinary Error', new Error('boom')],
    ['a TypeError', new TypeError('x is undefined')],
    ['a SyntaxError without a status', new SyntaxError('Unexpected token')],
    ['a network error', { code: 'ECONNRESET' }],
    ['a 400 of something else', { statusCode: 400 }],
    ['undefined', undefined],
    ['null', null],
    ['a string', 'FST_ERR_CTP_INVALID_JSON_BODY'],
  ] as [string, unknown][]) {
    it(`gives undefined for ${what}`, () => assert.equal(bodyErrorMessage(cause), undefined));
  }
});

describe('httpExceptionBody', () => {
  it('keeps a built-in exception with a message', () => {
    assert.deepEqual(httpExceptionBody(new BadRequestException('Invalid email address.')), {
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid email address.',
    });
    assert.deepEqual(httpExceptionBody(new ConflictException('Email already registered.')), {
      statusCode: 409,
      error: 'Conflict',
      message: 'Email already registered.',
    });
  });

  it('keeps an array of field messages', () => {
    assert.deepEqual(
      httpExceptionBody(
        new BadRequestException(['email must be a string', 'otp must be a string']),
      ),
      {
        statusCode: 400,
        error: 'Bad Request',
        message: ['email must be a string', 'otp must be a string'],
      },
    );
  });

  it('fills in the reason phrase for a plain string response', () => {
    assert.deepEqual(
      httpExceptionBody(new HttpException('Invalid or expired refresh token.', 401)),
      {
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Invalid or expired refresh token.',
      },
    );
  });

  it('keeps extra fields such as attempts_remaining', () => {
    const exception = new BadRequestException({ message: 'Invalid OTP.', attempts_remaining: 3 });
    assert.deepEqual(httpExceptionBody(exception), {
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid OTP.',
      attempts_remaining: 3,
    });
  });

  it('takes the status from the exception, not from its body', () => {
    const exception = new HttpException({ statusCode: 200, error: 42, message: 'nope' }, 403);
    assert.deepEqual(httpExceptionBody(exception), {
      statusCode: 403,
      error: 'Forbidden',
      message: 'nope',
    });
  });

  it('gives the reason phrase as message when the body has none', () => {
    assert.deepEqual(httpExceptionBody(new HttpException({ detail: 'x' }, 503)), {
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Service Unavailable',
      detail: 'x',
    });
    assert.deepEqual(httpExceptionBody(new UnauthorizedException()), {
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Unauthorized',
    });
  });

  it('gives "Error" for a status without a known reason phrase', () => {
    assert.deepEqual(httpExceptionBody(new HttpException('Teapot.', 418)), {
      statusCode: 418,
      error: 'Error',
      message: 'Teapot.',
    });
  });

  it('shapes the 429 of the SPEC, without leaking the Retry-After value into the body', () => {
    const exception = new TooManyRequestsException(
      'Maximum OTP attempts exceeded. Please register again.',
      42,
    );
    assert.deepEqual(httpExceptionBody(exception), {
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Maximum OTP attempts exceeded. Please register again.',
    });
  });

  it('shapes the throttler 429', () => {
    assert.deepEqual(httpExceptionBody(new ThrottlerException()), {
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Too Many Requests',
    });
  });

  it('keeps the 503 of e-mail validation', () => {
    const exception = new ServiceUnavailableException(
      'Email validation service unavailable. Please try again later.',
    );
    assert.deepEqual(httpExceptionBody(exception), {
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Email validation service unavailable. Please try again later.',
    });
  });

  it("replaces a body parser's message, which may quote the body, by the fixed one", () => {
    const parserText = 'Unexpected token } in JSON at position 31: {"password":"hunter2-secret"';
    const exception = new BadRequestException(parserText, {
      cause: Object.assign(new SyntaxError(parserText), {
        code: 'FST_ERR_CTP_INVALID_JSON_BODY',
        statusCode: 400,
      }),
    });
    const body = httpExceptionBody(exception);
    assert.deepEqual(body, {
      statusCode: 400,
      error: 'Bad Request',
      message: BodyErrorMessages.malformedJson,
    });
    assert.ok(!JSON.stringify(body).includes('hunter2'));
  });

  it('uses the fixed message for a too-large body', () => {
    const exception = new PayloadTooLargeException('request entity too large', {
      cause: { type: 'entity.too.large', statusCode: 413 },
    });
    assert.deepEqual(httpExceptionBody(exception), {
      statusCode: 413,
      error: 'Payload Too Large',
      message: BodyErrorMessages.tooLarge,
    });
  });
});
