import { Body, Controller, Header, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { MessageResponse } from '../../common/dto/message.response.js';
import { ApiBodyErrors, ApiError } from '../../common/http/api-error.decorator.js';
import { AuthMessages as M } from '../auth.messages.js';
import { BearerAuth } from '../decorators/bearer-auth.decorator.js';
import { CurrentUser, type AuthenticatedUser } from '../decorators/current-user.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { LoginDto } from '../dto/login.dto.js';
import { LogoutDto } from '../dto/logout.dto.js';
import { RefreshTokenDto } from '../dto/refresh-token.dto.js';
import { TokenPairResponse } from '../dto/token-pair.response.js';
import { LoginUseCase } from './login.usecase.js';
import { LogoutAllUseCase } from './logout-all.usecase.js';
import { LogoutUseCase } from './logout.usecase.js';
import { RefreshTokenUseCase } from './refresh-token.usecase.js';

const PAIR_EXAMPLE = {
  access: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.sig',
  refresh: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.sig',
  token_type: 'Bearer',
  expires_in: 900,
};

/** Sessions: log in, rotate, log out. */
@ApiTags('Session')
@ApiBodyErrors()
@Controller()
export class SessionController {
  constructor(
    private readonly loginUseCase: LoginUseCase,
    private readonly refreshUseCase: RefreshTokenUseCase,
    private readonly logoutUseCase: LogoutUseCase,
    private readonly logoutAllUseCase: LogoutAllUseCase,
  ) {}

  @Post('login')
  @Public()
  @UseGuards(ThrottlerGuard)
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Log in',
    description:
      'Returns an access and a refresh token. Paste `access` into **Authorize** to call the protected endpoints.',
  })
  @ApiOkResponse({ type: TokenPairResponse, example: PAIR_EXAMPLE, description: 'Signed in.' })
  @ApiError(400, 'A field is missing or invalid.', ['email must be a valid email address'])
  @ApiError(
    401,
    'Unknown e-mail, wrong password or deactivated account (the same answer for all).',
    M.invalidCredentials,
  )
  @ApiError(
    429,
    'Too many failed logins for this account (15 minutes), or too many requests from this IP.',
    M.tooManyLoginFailures,
  )
  login(@Body() body: LoginDto): Promise<TokenPairResponse> {
    return this.loginUseCase.execute(body);
  }

  @Post('token/refresh')
  @Public()
  @UseGuards(ThrottlerGuard)
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Rotate the refresh token',
    description:
      'Returns a new pair; the presented refresh token stops working. Presenting a rotated token again revokes the whole session (reuse detection).',
  })
  @ApiOkResponse({ type: TokenPairResponse, example: PAIR_EXAMPLE, description: 'New pair.' })
  @ApiError(400, 'The refresh field is missing, not a string, or too long.', M.refreshTokenRequired)
  @ApiError(
    401,
    'Expired, tampered, revoked, reused or not a refresh token.',
    M.invalidRefreshToken,
  )
  refresh(@Body() body: RefreshTokenDto): Promise<TokenPairResponse> {
    return this.refreshUseCase.execute(body);
  }

  @Post('logout')
  @BearerAuth()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Log out',
    description:
      'Revokes the refresh token (and its session) and the access token used for the call, at once.',
  })
  @ApiOkResponse({
    type: MessageResponse,
    example: { message: M.loggedOut },
    description: 'Logged out.',
  })
  @ApiError(
    400,
    "Missing, invalid, revoked, or another user's refresh token (nothing is revoked).",
    M.invalidLogoutToken,
  )
  logout(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: LogoutDto,
  ): Promise<MessageResponse> {
    return this.logoutUseCase.execute(caller, body);
  }

  @Post('logout-all')
  @BearerAuth()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Log out everywhere',
    description: 'Revokes every refresh and access token of the user, on every device.',
  })
  @ApiOkResponse({
    type: MessageResponse,
    example: { message: M.loggedOutEverywhere },
    description: 'All sessions ended.',
  })
  logoutAll(@CurrentUser() caller: AuthenticatedUser): Promise<MessageResponse> {
    return this.logoutAllUseCase.execute(caller);
  }
}
