import {
  applyDecorators,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiOkResponse,
  ApiCreatedResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { Public } from '../auth/decorators/public.decorator.js';
import { ApiBodyErrors, ApiError } from '../common/http/api-error.decorator.js';
import { ConfirmOtpUseCase } from './confirm-otp.usecase.js';
import { ConfirmOtpDto } from './dto/confirm-otp.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import {
  InvalidOtpResponse,
  OtpSentResponse,
  UserRegisteredResponse,
} from './dto/registration.responses.js';
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
      example: {
        message: M.userRegistered,
        user: {
          id: '5b0c1a8e-3c55-4d5e-9a61-0f8a4b1d2c3e',
          email: 'ada@example.com',
          full_name: 'Ada Lovelace',
        },
      },
    }),
    ApiResponse({
      status: 400,
      type: InvalidOtpResponse,
      description: `Wrong code (with attempts_remaining), or no pending registration: "${M.otpExpiredOrInvalid}"`,
      example: {
        statusCode: 400,
        error: 'Bad Request',
        message: M.invalidOtp,
        attempts_remaining: 4,
      },
    }),
    ApiError(
      409,
      'The account was created meanwhile (a parallel confirmation).',
      'Email already registered.',
    ),
  );

/** Registration by e-mailed one-time code. */
@ApiTags('Registration')
@Public()
@UseGuards(ThrottlerGuard)
@ApiError(429, 'Too many requests from this IP (per-minute limit).', 'Too Many Requests')
@ApiBodyErrors()
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
      'Checks the password policy and the address (offline checks and Mailboxlayer), then e-mails a one-time code. ' +
      'Nothing is created until the code is confirmed. Without SMTP configured, read the code at /dev/outbox.',
  })
  @ApiOkResponse({ type: OtpSentResponse, example: OTP_SENT_EXAMPLE, description: 'Code sent.' })
  @ApiError(
    400,
    'A field is missing or invalid, the password breaks the policy, or the address is undeliverable.',
    ['This password is too common.'],
  )
  @ApiError(409, 'The address already has an account.', 'Email already registered.')
  @ApiError(
    503,
    'The code could not be e-mailed, or e-mail validation is down (fail-closed).',
    M.sendFailed,
  )
  register(@Body() body: RegisterDto): Promise<OtpSentResponse> {
    return this.registerUseCase.execute(body);
  }

  @Post('confirm-otp')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Confirm the code and create the account',
    description: `A wrong code counts against the attempt limit; the last allowed wrong guess ends the registration.`,
  })
  @ApiConfirmResponses()
  confirmOtp(@Body() body: ConfirmOtpDto): Promise<UserRegisteredResponse> {
    return this.confirmOtpUseCase.execute(body);
  }

  @Post('verify-otp')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Alias of confirm-otp',
    deprecated: true,
    description: 'Kept for clients of the original API; use confirm-otp.',
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
      'Replaces the code (the old one stops working) and restarts its lifetime. Wrong guesses still count.',
  })
  @ApiOkResponse({
    type: OtpSentResponse,
    example: OTP_SENT_EXAMPLE,
    description: 'New code sent.',
  })
  @ApiError(400, 'No pending registration for this address.', M.otpExpiredOrInvalid)
  @ApiError(503, 'The code could not be e-mailed.', M.sendFailed)
  resendOtp(@Body() body: ResendOtpDto): Promise<OtpSentResponse> {
    return this.resendOtpUseCase.execute(body);
  }
}
