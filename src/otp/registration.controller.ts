import {
  applyDecorators,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IpRateLimitGuard } from '../common/http/ip-rate-limit.guard.js';
import { Public } from '../auth/decorators/public.decorator.js';
import {
  ApiBodyErrors,
  ApiError,
  ApiStoreUnavailable,
  MALFORMED_JSON,
  PER_IP_LIMIT,
  STORE_UNAVAILABLE,
} from '../common/http/api-error.decorator.js';
import { RATE_LIMIT } from '../common/http/api-response-headers.js';
import { EMAIL_VALIDATION_UNAVAILABLE } from '../email-validation/email-validation.service.js';
import { ConfirmOtpUseCase } from './confirm-otp.usecase.js';
import { ConfirmOtpDto } from './dto/confirm-otp.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import {
  OtpSentResponse,
  RegistrationStartedResponse,
  UserRegisteredResponse,
} from './dto/registration.responses.js';
import { ResendOtpDto } from './dto/resend-otp.dto.js';
import { RegisterUseCase } from './register.usecase.js';
import { RegistrationMessages as M } from './registration.messages.js';
import { ResendOtpUseCase } from './resend-otp.usecase.js';

const OTP_SENT_EXAMPLE = { message: M.otpSent, expires_in: 600 };
const REGISTRATION_STARTED_EXAMPLE = {
  ...OTP_SENT_EXAMPLE,
  registration_id: '2f1c6b1e-7d4a-4c1e-9b0a-3e5f8d2c7a14',
};
const INVALID_REGISTRATION_ID = 'registration_id must be a UUID';
const CONFIRM_EXAMPLE = { email: 'ada@example.com', otp: '042917' };

/**
 * A request body documented by examples, the one without the optional `registration_id` first:
 * it is the one "Try it out" starts from, and works once the address (and code) are one's own.
 */
const ApiBodyExamples = (
  type: typeof ConfirmOtpDto | typeof ResendOtpDto,
  plain: Record<string, string>,
): MethodDecorator =>
  ApiBody({
    type,
    examples: {
      'Any registration of the address': { value: plain },
      'One registration': {
        value: { ...plain, registration_id: REGISTRATION_STARTED_EXAMPLE.registration_id },
      },
    },
  });

/** The 429s of a request that sends a code (register, resend-otp). */
const ApiSendRefusals = (): MethodDecorator =>
  ApiError(
    429,
    'A code went out to this address less than the cooldown ago; this registration already had five; ' +
      'the address had `OTP_MAX_SENDS_PER_ADDRESS` codes (default 5) within `OTP_ADDRESS_WINDOW` ' +
      '(default 1 h), or has no wrong guess left in it (a code could not be tried); or this IP sent ' +
      'too many requests. `Retry-After` tells when a send can go through.',
    {
      'Resend cooldown': M.resendCooldown,
      'Send limit': M.sendLimit,
      'Codes per address': M.addressSendCap,
      'Wrong codes per address': M.addressFailureCap,
      ...PER_IP_LIMIT,
    },
    RATE_LIMIT,
  );

/** The responses of confirm-otp, shared with its verify-otp alias so that their docs cannot drift. */
const ApiConfirmResponses = (): MethodDecorator =>
  applyDecorators(
    ApiCreatedResponse({
      type: UserRegisteredResponse,
      description: 'Account created.',
      headers: RATE_LIMIT,
      example: {
        message: M.userRegistered,
        user: {
          id: '5b0c1a8e-3c55-4d5e-9a61-0f8a4b1d2c3e',
          email: 'ada@example.com',
          full_name: 'Ada Lovelace',
        },
      },
    }),
    ApiError(
      400,
      'Wrong code (with `attempts_remaining`: the guesses left, for the registration and for the ' +
        'address), no pending registration (never registered, expired, or ended; or no pending one ' +
        'with that `registration_id`), or an invalid field.',
      {
        'Wrong code': { message: M.invalidOtp, attempts_remaining: 4 },
        'No pending registration': M.otpExpiredOrInvalid,
        'Invalid field': ['otp must be a string of 4 to 10 digits'],
        'Invalid registration_id': [INVALID_REGISTRATION_ID],
        ...MALFORMED_JSON,
      },
      RATE_LIMIT,
    ),
    ApiError(
      409,
      'The account was created meanwhile (a parallel confirmation).',
      'Email already registered.',
      RATE_LIMIT,
    ),
    ApiError(
      429,
      'The last allowed wrong guess of the registration (`OTP_MAX_ATTEMPTS`: it is over, register ' +
        'again); or the address has no wrong guess left within `OTP_ADDRESS_WINDOW` ' +
        '(`OTP_MAX_FAILURES_PER_ADDRESS`, default 10 an hour, whatever the registrations: the ' +
        'registration is over and `Retry-After` tells when a guess is allowed again); or this IP ' +
        'sent too many requests.',
      {
        'Attempts exhausted': M.maxAttemptsExceeded,
        'Wrong codes per address': M.addressFailureCap,
        ...PER_IP_LIMIT,
      },
      RATE_LIMIT,
    ),
  );

/** Registration by e-mailed one-time code. */
@ApiTags('Registration')
@Public()
@UseGuards(IpRateLimitGuard)
@ApiBodyErrors()
@ApiStoreUnavailable(RATE_LIMIT)
@Controller()
export class RegistrationController {
  constructor(
    private readonly registerUseCase: RegisterUseCase,
    private readonly confirmOtpUseCase: ConfirmOtpUseCase,
    private readonly resendOtpUseCase: ResendOtpUseCase,
  ) {}

  @Post('register')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Start a registration',
    description:
      'Checks the fields, the password policy and the address (offline checks, and Mailboxlayer when configured), ' +
      'then e-mails a one-time code valid for `expires_in` seconds, and answers the `registration_id` of this ' +
      'registration. Nothing is stored in the database until the code is confirmed. Registering the address ' +
      'again (once the resend cooldown has passed) starts another registration with its own id, code and ' +
      'password, and replaces none: the code confirmed decides which one becomes the account. Each mail ' +
      'names the UTC time its registration started.\n\n' +
      'Without SMTP configured, read the code in the development outbox: [/dev/outbox](/dev/outbox). ' +
      'The example body works as it is; use your own address to tell your mail apart.',
  })
  @ApiOkResponse({
    type: RegistrationStartedResponse,
    example: REGISTRATION_STARTED_EXAMPLE,
    description: 'Code sent.',
    headers: RATE_LIMIT,
  })
  @ApiError(
    400,
    'A field is missing or invalid, the password breaks the policy, or the address is undeliverable.',
    {
      'Invalid fields': ['email must be a valid email address', 'full_name should not be empty'],
      'Password policy': ['This password is too common.', 'This password is entirely numeric.'],
      'Undeliverable address': M.invalidEmail,
      ...MALFORMED_JSON,
    },
    RATE_LIMIT,
  )
  @ApiError(409, 'The address already has an account.', 'Email already registered.', RATE_LIMIT)
  @ApiSendRefusals()
  @ApiError(
    503,
    'The code could not be e-mailed (nothing is kept: register again), e-mail validation is down ' +
      'with EMAIL_VALIDATION_FAIL_OPEN=false, a store does not answer, or this instance is shutting down.',
    {
      'E-mail not sent': M.sendFailed,
      'E-mail validation down': EMAIL_VALIDATION_UNAVAILABLE,
      ...STORE_UNAVAILABLE,
    },
    RATE_LIMIT,
  )
  register(@Body() body: RegisterDto): Promise<RegistrationStartedResponse> {
    return this.registerUseCase.execute(body);
  }

  @Post('confirm-otp')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Confirm the code and create the account',
    description:
      'Send the address and the code from the e-mail, and if possible the `registration_id` that register returned ' +
      '(optional): with it, only the code of that registration confirms. The account is created with the data of the ' +
      'registration the code was sent for, and every other pending registration of the address ends. A wrong ' +
      'code counts against the attempt limit of the address (`attempts_remaining` tells how many are left); ' +
      'the last allowed wrong guess ends every registration of the address. Then log in with the password ' +
      'given at register.',
  })
  @ApiBodyExamples(ConfirmOtpDto, CONFIRM_EXAMPLE)
  @ApiConfirmResponses()
  confirmOtp(@Body() body: ConfirmOtpDto): Promise<UserRegisteredResponse> {
    return this.confirmOtpUseCase.execute(body);
  }

  @Post('verify-otp')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Alias of confirm-otp (deprecated)',
    deprecated: true,
    description:
      'The same operation as `POST /api/users/confirm-otp/`, kept for clients of the original API. Use confirm-otp.',
  })
  @ApiBodyExamples(ConfirmOtpDto, CONFIRM_EXAMPLE)
  @ApiConfirmResponses()
  verifyOtp(@Body() body: ConfirmOtpDto): Promise<UserRegisteredResponse> {
    return this.confirmOtpUseCase.execute(body);
  }

  @Post('resend-otp')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Send a new code',
    description:
      'Replaces the code of one pending registration (its old code stops working) and restarts its lifetime: ' +
      'the registration `registration_id` names, or without it the newest registration of the address. The ' +
      'other registrations keep their codes. Wrong guesses made so far still count. At most one send per ' +
      'cooldown (60 s by default), five per registration (the one at register included), and ' +
      '`OTP_MAX_SENDS_PER_ADDRESS` (default 5) per address within `OTP_ADDRESS_WINDOW` (default 1 h).',
  })
  @ApiBodyExamples(ResendOtpDto, { email: CONFIRM_EXAMPLE.email })
  @ApiOkResponse({
    type: OtpSentResponse,
    example: OTP_SENT_EXAMPLE,
    description: 'New code sent.',
    headers: RATE_LIMIT,
  })
  @ApiError(
    400,
    'No pending registration for this address (or none with that `registration_id`), or an invalid field.',
    {
      'No pending registration': M.otpExpiredOrInvalid,
      'Invalid field': ['email must be a valid email address'],
      'Invalid registration_id': [INVALID_REGISTRATION_ID],
      ...MALFORMED_JSON,
    },
    RATE_LIMIT,
  )
  @ApiError(
    503,
    'The code could not be e-mailed, a store does not answer, or this instance is shutting down.',
    { 'E-mail not sent': M.sendFailed, ...STORE_UNAVAILABLE },
    RATE_LIMIT,
  )
  @ApiSendRefusals()
  resendOtp(@Body() body: ResendOtpDto): Promise<OtpSentResponse> {
    return this.resendOtpUseCase.execute(body);
  }
}
