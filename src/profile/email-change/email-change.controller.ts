import { Body, Controller, Header, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthMessages } from '../../auth/auth.messages.js';
import { BearerAuth } from '../../auth/decorators/bearer-auth.decorator.js';
import {
  CurrentUser,
  type AuthenticatedUser,
} from '../../auth/decorators/current-user.decorator.js';
import { RequestClient } from '../../auth/decorators/login-client.decorator.js';
import type { LoginClient } from '../../auth/sessions/session-opener.service.js';
import {
  ApiBodyErrors,
  ApiError,
  MALFORMED_JSON,
  STORE_UNAVAILABLE,
} from '../../common/http/api-error.decorator.js';
import { NO_STORE } from '../../common/http/api-response-headers.js';
import { EMAIL_VALIDATION_UNAVAILABLE } from '../../email-validation/email-validation.service.js';
import { EMAIL_ALREADY_REGISTERED } from '../../users/users.service.js';
import {
  ConfirmEmailChangeDto,
  EmailChangeStartedResponse,
  RequestEmailChangeDto,
} from '../dto/email-change.dto.js';
import { PROFILE_EXAMPLE, ProfileResponse } from '../dto/profile.response.js';
import { ConfirmEmailChangeUseCase } from './confirm-email-change.usecase.js';
import { EmailChangeMessages as M } from './email-change.messages.js';
import { RequestEmailChangeUseCase } from './request-email-change.usecase.js';

/**
 * `POST me/email/` and `POST me/email/confirm/`: the account's address changes only through a
 * code sent to the new one (never through `PATCH me/`). Answers are personal: never stored.
 */
@ApiTags('Profile')
@BearerAuth()
@ApiBodyErrors()
@Controller('me/email')
export class EmailChangeController {
  constructor(
    private readonly requestUseCase: RequestEmailChangeUseCase,
    private readonly confirmUseCase: ConfirmEmailChangeUseCase,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Ask to change your e-mail address',
    description:
      'Send the new address and your current password: a code valid for `expires_in` seconds goes to the new ' +
      'address (without SMTP configured, read it in [/dev/outbox](/dev/outbox)), then confirm it with ' +
      '`me/email/confirm/`. The new address gets every check of a registration (syntax, disposable domains, ' +
      'Mailboxlayer when configured, the caps per address) and the caps count per account as well. Asking ' +
      'again once the cooldown has passed replaces the pending change with a new code; wrong guesses made ' +
      'so far still count. Wrong passwords count against the login-failure limit of the account.',
  })
  @ApiOkResponse({
    type: EmailChangeStartedResponse,
    example: { message: M.otpSent, expires_in: 600 },
    description:
      'Code sent to the new address (with AUTH_ENUMERATION_PROTECTION=true also when the address has an ' +
      'account: then no code exists and its owner is told instead).',
    headers: NO_STORE,
  })
  @ApiError(
    400,
    'Wrong current password, the address the account already has, an undeliverable address, or an invalid field.',
    {
      'Wrong password': AuthMessages.currentPasswordIncorrect,
      'Same address': M.sameEmail,
      'Undeliverable address': M.invalidEmail,
      'Invalid fields': ['new_email must be a valid email address', 'password should not be empty'],
      ...MALFORMED_JSON,
    },
  )
  @ApiError(409, 'The new address already has an account.', EMAIL_ALREADY_REGISTERED)
  @ApiError(
    429,
    'A code went out for this account less than the cooldown ago; the new address or the account had ' +
      '`OTP_MAX_SENDS_PER_ADDRESS` codes (default 5) within `OTP_ADDRESS_WINDOW` (default 1 h), or has no ' +
      'wrong guess left in it; or too many wrong passwords for this account (`LOGIN_MAX_FAILURES` per 15 ' +
      'minutes, shared with login). `Retry-After` tells when to try again.',
    {
      'Resend cooldown': M.resendCooldown,
      'Codes per address': M.addressSendCap,
      'Codes per account': M.accountSendCap,
      'Wrong codes per address': M.addressFailureCap,
      'Wrong codes per account': M.accountFailureCap,
      'Wrong passwords': AuthMessages.tooManyLoginFailures,
    },
  )
  @ApiError(
    503,
    'The code could not be e-mailed (nothing is kept: ask again), e-mail validation is down with ' +
      'EMAIL_VALIDATION_FAIL_OPEN=false, a store does not answer, or this instance is shutting down.',
    {
      'E-mail not sent': M.sendFailed,
      'E-mail validation down': EMAIL_VALIDATION_UNAVAILABLE,
      ...STORE_UNAVAILABLE,
    },
  )
  requestEmailChange(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: RequestEmailChangeDto,
  ): Promise<EmailChangeStartedResponse> {
    return this.requestUseCase.execute(caller, body);
  }

  @Post('confirm')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Confirm your new e-mail address',
    description:
      'Send the code from the mail to the new address: the account moves to it and the profile is returned. ' +
      'From then on it logs in with the new address only, and the old one is free; sessions stay signed ' +
      'in, and a password reset link mailed to the old address stops working. The old address gets an ' +
      'alert (what, when, from where). A wrong code counts against `OTP_MAX_ATTEMPTS` for the pending ' +
      'change (`attempts_remaining` tells how many are left), and against the caps of the address and ' +
      'of the account.',
  })
  @ApiOkResponse({
    type: ProfileResponse,
    example: { ...PROFILE_EXAMPLE, email: 'ada.king@example.com' },
    description: 'The address changed; the updated profile.',
    headers: NO_STORE,
  })
  @ApiError(
    400,
    'Wrong code (with `attempts_remaining`), no pending change (never asked, expired, ended, or ' +
      'confirmed already), or an invalid field.',
    {
      'Wrong code': { message: M.invalidOtp, attempts_remaining: 4 },
      'No pending change': M.otpExpiredOrInvalid,
      'Invalid field': ['otp must be a string of 4 to 10 digits'],
      ...MALFORMED_JSON,
    },
  )
  @ApiError(
    409,
    'An account was created with the new address meanwhile; the change is over.',
    EMAIL_ALREADY_REGISTERED,
  )
  @ApiError(
    429,
    'The last allowed wrong guess of the pending change (`OTP_MAX_ATTEMPTS`: it is over, ask again); ' +
      'or the new address or the account has no wrong guess left within `OTP_ADDRESS_WINDOW` ' +
      '(`OTP_MAX_FAILURES_PER_ADDRESS`, default 10 an hour; `Retry-After` tells when).',
    {
      'Attempts exhausted': M.maxAttemptsExceeded,
      'Wrong codes per address': M.addressFailureCap,
      'Wrong codes per account': M.accountFailureCap,
    },
  )
  confirmEmailChange(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: ConfirmEmailChangeDto,
    @RequestClient() client: LoginClient,
  ): Promise<ProfileResponse> {
    return this.confirmUseCase.execute(caller, body, client);
  }
}
