import { Body, Controller, Header, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IpRateLimitGuard } from '../../common/http/ip-rate-limit.guard.js';
import { MessageResponse } from '../../common/dto/message.response.js';
import {
  ApiBodyErrors,
  ApiError,
  ApiStoreUnavailable,
  MALFORMED_JSON,
  PER_IP_LIMIT,
} from '../../common/http/api-error.decorator.js';
import { NO_STORE, RATE_LIMIT } from '../../common/http/api-response-headers.js';
import { AuthMessages as M } from '../auth.messages.js';
import { BearerAuth } from '../decorators/bearer-auth.decorator.js';
import { CurrentUser, type AuthenticatedUser } from '../decorators/current-user.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { ChangePasswordDto } from '../dto/change-password.dto.js';
import { ForgotPasswordDto } from '../dto/forgot-password.dto.js';
import { ResetPasswordDto } from '../dto/reset-password.dto.js';
import {
  ResetTokenExposedResponse,
  TOKEN_PAIR_EXAMPLE,
  TokenPairResponse,
} from '../dto/token-pair.response.js';
import { ChangePasswordUseCase } from './change-password.usecase.js';
import { ForgotPasswordUseCase } from './forgot-password.usecase.js';
import { ResetPasswordUseCase } from './reset-password.usecase.js';

/** Forgotten password and password change. */
@ApiTags('Password')
@ApiBodyErrors()
@ApiStoreUnavailable()
@Controller()
export class PasswordController {
  constructor(
    private readonly forgotUseCase: ForgotPasswordUseCase,
    private readonly resetUseCase: ResetPasswordUseCase,
    private readonly changeUseCase: ChangePasswordUseCase,
  ) {}

  @Post('forgot-password')
  @Public()
  @UseGuards(IpRateLimitGuard)
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Ask for a password reset e-mail',
    description:
      'Always the same answer for a well-formed address, known or not. For an existing, active account a ' +
      'single-use reset token (15 minutes by default) is e-mailed, as a link and as the raw token: without ' +
      'SMTP configured, copy it from [/dev/outbox](/dev/outbox) into reset-password. At most one e-mail per ' +
      'minute and five per hour for an address (the answer stays the same).',
  })
  @ApiOkResponse({
    type: ResetTokenExposedResponse,
    example: { message: M.resetLinkSent },
    description:
      'Accepted (`reset_token` only with AUTH_EXPOSE_RESET_TOKEN=true outside production).',
    headers: { ...NO_STORE, ...RATE_LIMIT },
  })
  @ApiError(
    400,
    'The e-mail is missing or malformed.',
    { 'Invalid field': ['email must be a valid email address'], ...MALFORMED_JSON },
    RATE_LIMIT,
  )
  @ApiError(429, 'Too many requests from this IP.', PER_IP_LIMIT, RATE_LIMIT)
  @ApiStoreUnavailable(RATE_LIMIT)
  forgotPassword(@Body() body: ForgotPasswordDto): Promise<ResetTokenExposedResponse> {
    return this.forgotUseCase.execute(body);
  }

  @Post('reset-password')
  @Public()
  @UseGuards(IpRateLimitGuard)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Set a new password with a reset token',
    description:
      'Send the token from the e-mail and a new password (same policy as at register). The token works once; ' +
      'every session of the user is revoked and no tokens are returned: log in again with the new password.',
  })
  @ApiOkResponse({
    type: MessageResponse,
    example: { message: M.passwordReset },
    description: 'Password replaced.',
    headers: RATE_LIMIT,
  })
  @ApiError(
    400,
    'Missing, expired, used or invalid token, or a password that breaks the policy.',
    {
      'Missing token': M.resetTokenRequired,
      'Invalid token': M.invalidResetToken,
      'Password policy': ['This password is too common.'],
      ...MALFORMED_JSON,
    },
    RATE_LIMIT,
  )
  @ApiError(429, 'Too many requests from this IP.', PER_IP_LIMIT, RATE_LIMIT)
  @ApiStoreUnavailable(RATE_LIMIT)
  resetPassword(@Body() body: ResetPasswordDto): Promise<MessageResponse> {
    return this.resetUseCase.execute(body);
  }

  @Post('change-password')
  @BearerAuth()
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Change the password',
    description:
      'Revokes every earlier token of the user, the ones used for this call included, and returns a new pair.',
  })
  @ApiOkResponse({
    type: TokenPairResponse,
    example: TOKEN_PAIR_EXAMPLE,
    description: 'Password changed; new tokens (authorize again with the new `access`).',
    headers: NO_STORE,
  })
  @ApiError(400, 'Wrong current password, or a new password that breaks the policy.', {
    'Wrong current password': M.currentPasswordIncorrect,
    'Password policy': ['This password is too short. It must contain at least 8 characters.'],
    ...MALFORMED_JSON,
  })
  @ApiError(429, 'Too many wrong current passwords for this account.', M.tooManyLoginFailures)
  changePassword(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: ChangePasswordDto,
  ): Promise<TokenPairResponse> {
    return this.changeUseCase.execute(caller, body);
  }
}
