import {
  applyDecorators,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
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
import { OtpSentResponse, UserRegisteredResponse } from './dto/registration.responses.js';
import { ResendOtpDto } from './dto/resend-otp.dto.js';
import { RegisterUseCase } from './register.usecase.js';
import { RegistrationMessages as M } from './registration.messages.js';
import { ResendOtpUseCase } from './resend-otp.usecase.js';

const OTP_SENT_EXAMPLE = { message: M.otpSent, expires_in: 600 };

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
      'Wrong code (with `attempts_remaining`), no pending registration (never registered, expired, or ended), or an invalid field.',
      {
        'Wrong code': { message: M.invalidOtp, attempts_remaining: 4 },
        'No pending registration': M.otpExpiredOrInvalid,
        'Invalid field': ['otp must be a string of 4 to 10 digits'],
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
      'The last allowed wrong guess (the registration is over: register again), or this IP sent too many requests.',
      {
        'Attempts exhausted': M.maxAttemptsExceeded,
        ...PER_IP_LIMIT,
      },
      RATE_LIMIT,
    ),
  );

/** Registration by e-mailed one-time code. */
@ApiTags('Registration')
@Public()
@UseGuards(ThrottlerGuard)
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
      'then e-mails a one-time code valid for `expires_in` seconds. Nothing is stored in the database until the ' +
      'code is confirmed. Registering again while a registration is pending replaces it (new code) once the ' +
      'resend cooldown has passed.\n\n' +
      'Without SMTP configured, read the code in the development outbox: [/dev/outbox](/dev/outbox). ' +
      'The example body works as it is; use your own address to tell your mail apart.',
  })
  @ApiOkResponse({
    type: OtpSentResponse,
    example: OTP_SENT_EXAMPLE,
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
  @ApiError(
    429,
    'A code went out less than the cooldown ago, five codes already did, or this IP sent too many requests.',
    {
      'Resend cooldown': M.resendCooldown,
      'Send limit': M.sendLimit,
      ...PER_IP_LIMIT,
    },
    RATE_LIMIT,
  )
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
  register(@Body() body: RegisterDto): Promise<OtpSentResponse> {
    return this.registerUseCase.execute(body);
  }

  @Post('confirm-otp')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Confirm the code and create the account',
    description:
      'Send the address and the code from the e-mail. A wrong code counts against the attempt limit ' +
      '(`attempts_remaining` tells how many are left); the last allowed wrong guess ends the registration. ' +
      'Then log in with the password given at register.',
  })
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
  @ApiConfirmResponses()
  verifyOtp(@Body() body: ConfirmOtpDto): Promise<UserRegisteredResponse> {
    return this.confirmOtpUseCase.execute(body);
  }

  @Post('resend-otp')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Send a new code',
    description:
      'Replaces the code of a pending registration (the old one stops working) and restarts its lifetime. ' +
      'Wrong guesses made so far still count. At most one send per cooldown (60 s by default) and five per ' +
      'registration, the one at register included.',
  })
  @ApiOkResponse({
    type: OtpSentResponse,
    example: OTP_SENT_EXAMPLE,
    description: 'New code sent.',
    headers: RATE_LIMIT,
  })
  @ApiError(
    400,
    'No pending registration for this address, or an invalid field.',
    {
      'No pending registration': M.otpExpiredOrInvalid,
      'Invalid field': ['email must be a valid email address'],
      ...MALFORMED_JSON,
    },
    RATE_LIMIT,
  )
  @ApiError(
    429,
    'A code went out less than the cooldown ago, five codes already did, or this IP sent too many requests.',
    {
      'Resend cooldown': M.resendCooldown,
      'Send limit': M.sendLimit,
      ...PER_IP_LIMIT,
    },
    RATE_LIMIT,
  )
  @ApiError(
    503,
    'The code could not be e-mailed, a store does not answer, or this instance is shutting down.',
    { 'E-mail not sent': M.sendFailed, ...STORE_UNAVAILABLE },
    RATE_LIMIT,
  )
  resendOtp(@Body() body: ResendOtpDto): Promise<OtpSentResponse> {
    return this.resendOtpUseCase.execute(body);
  }
}
