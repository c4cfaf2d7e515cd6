import { Body, Controller, Header, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { RequestClient } from '../decorators/login-client.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { LoginDto } from '../dto/login.dto.js';
import {
  REFRESH_TOKEN_BODY,
  RefreshTokenDto,
  TWO_REFRESH_TOKENS,
} from '../dto/refresh-token.dto.js';
import { TOKEN_PAIR_EXAMPLE, TokenPairResponse } from '../dto/token-pair.response.js';
import { LoginUseCase } from './login.usecase.js';
import { LogoutAllUseCase } from './logout-all.usecase.js';
import { LogoutUseCase } from './logout.usecase.js';
import { RefreshTokenUseCase } from './refresh-token.usecase.js';
import type { LoginClient } from '../sessions/session-opener.service.js';

/** Sessions: log in, rotate, log out. */
@ApiTags('Session')
@ApiBodyErrors()
@ApiStoreUnavailable()
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
  @UseGuards(IpRateLimitGuard)
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Log in',
    description:
      'Returns an access token (15 minutes by default) and a refresh token (1 day). Copy `access`, click ' +
      '**Authorize** at the top of the page and paste it: "Try it out" then sends it on the protected endpoints. ' +
      'Unknown address, wrong password and deactivated account get the same 401.',
  })
  @ApiOkResponse({
    type: TokenPairResponse,
    example: TOKEN_PAIR_EXAMPLE,
    description: 'Signed in.',
    headers: { ...NO_STORE, ...RATE_LIMIT },
  })
  @ApiError(
    400,
    'A field is missing or invalid.',
    {
      'Invalid fields': ['email must be a valid email address', 'password must be a string'],
      ...MALFORMED_JSON,
    },
    RATE_LIMIT,
  )
  @ApiError(
    401,
    'Unknown e-mail, wrong password or deactivated account (the same answer for all).',
    M.invalidCredentials,
    RATE_LIMIT,
  )
  @ApiError(
    429,
    'Too many failed logins for this account (15 minutes), or too many requests from this IP.',
    { 'Failed logins': M.tooManyLoginFailures, ...PER_IP_LIMIT },
    RATE_LIMIT,
  )
  @ApiStoreUnavailable(RATE_LIMIT)
  login(@Body() body: LoginDto, @RequestClient() client: LoginClient): Promise<TokenPairResponse> {
    return this.loginUseCase.execute(body, client);
  }

  @Post('token/refresh')
  @Public()
  @UseGuards(IpRateLimitGuard)
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Rotate the refresh token',
    description:
      'Returns a new pair; the presented refresh token stops working. Presenting a rotated token again revokes the whole session (reuse detection).',
  })
  @ApiExtraModels(RefreshTokenDto)
  @ApiBody({ schema: REFRESH_TOKEN_BODY })
  @ApiOkResponse({
    type: TokenPairResponse,
    example: TOKEN_PAIR_EXAMPLE,
    description: 'New pair.',
    headers: { ...NO_STORE, ...RATE_LIMIT },
  })
  @ApiError(
    400,
    'The refresh field is missing, empty, not a string, too long, or two different tokens.',
    {
      Missing: M.refreshTokenRequired,
      'Not a string': ['refresh must be a string'],
      'Two different tokens': [TWO_REFRESH_TOKENS],
      ...MALFORMED_JSON,
    },
    RATE_LIMIT,
  )
  @ApiError(
    401,
    'Expired, tampered, revoked, reused or not a refresh token.',
    M.invalidRefreshToken,
    RATE_LIMIT,
  )
  @ApiError(429, 'Too many requests from this IP.', PER_IP_LIMIT, RATE_LIMIT)
  @ApiStoreUnavailable(RATE_LIMIT)
  refresh(
    @Body() body: RefreshTokenDto,
    @RequestClient() client: LoginClient,
  ): Promise<TokenPairResponse> {
    return this.refreshUseCase.execute(body, client);
  }

  @Post('logout')
  @BearerAuth()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Log out',
    description:
      'Send the refresh token of the session in the body (`refresh_token`, or `refresh`) and its access ' +
      'token as Bearer. Revokes the ' +
      'refresh token and the access token used for the call, at once.',
  })
  @ApiBody({ schema: REFRESH_TOKEN_BODY })
  @ApiOkResponse({
    type: MessageResponse,
    example: { message: M.loggedOut },
    description: 'Logged out.',
  })
  @ApiError(
    400,
    "Missing, not a string, invalid, revoked, or another user's refresh token (then nothing is revoked).",
    {
      Missing: M.refreshTokenRequired,
      'Not a string': ['refresh_token must be a string'],
      'Invalid token': M.invalidLogoutToken,
      'Two different tokens': [TWO_REFRESH_TOKENS],
      ...MALFORMED_JSON,
    },
  )
  logout(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: RefreshTokenDto,
  ): Promise<MessageResponse> {
    return this.logoutUseCase.execute(caller, body);
  }

  @Post('logout-all')
  @BearerAuth()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Log out everywhere',
    description:
      'No body. Revokes every refresh and access token of the user, on every device, the one used for ' +
      'this call included.',
  })
  @ApiOkResponse({
    type: MessageResponse,
    example: { message: M.loggedOutEverywhere },
    description: 'All sessions ended.',
  })
  @ApiError(400, 'A body was sent, and it is not valid JSON.', MALFORMED_JSON)
  logoutAll(@CurrentUser() caller: AuthenticatedUser): Promise<MessageResponse> {
    return this.logoutAllUseCase.execute(caller);
  }
}
