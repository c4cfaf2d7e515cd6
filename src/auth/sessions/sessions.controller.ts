import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ApiBodyErrors, ApiError, MALFORMED_JSON } from '../../common/http/api-error.decorator.js';
import { BearerAuth } from '../decorators/bearer-auth.decorator.js';
import { CurrentUser, type AuthenticatedUser } from '../decorators/current-user.decorator.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, parseSessionPage } from './dto/session-page.query.js';
import {
  RevokeOthersResponse,
  SESSION_EXAMPLE,
  SessionListResponse,
} from './dto/session.response.js';
import { ListSessionsUseCase } from './list-sessions.usecase.js';
import { RevokeOtherSessionsUseCase } from './revoke-other-sessions.usecase.js';
import { RevokeSessionUseCase } from './revoke-session.usecase.js';
import { SessionMessages as M } from './sessions.messages.js';

/** The caller's sessions (one per login, on each device): list them, end one, end the others. */
@ApiTags('Sessions')
@BearerAuth()
@Controller('sessions')
export class SessionsController {
  constructor(
    private readonly listUseCase: ListSessionsUseCase,
    private readonly revokeUseCase: RevokeSessionUseCase,
    private readonly revokeOthersUseCase: RevokeOtherSessionsUseCase,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Your sessions',
    description:
      'The live sessions of the signed-in user, newest first: where and from what each login came, and ' +
      "which one is this access token's (`current`). Sessions ended by logout, logout-all, a password " +
      'change or reset, or revoked here are not listed.',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
  })
  @ApiQuery({
    name: 'cursor',
    required: false,
    schema: { type: 'string' },
    description: '`next_cursor` of the previous page.',
  })
  @ApiOkResponse({
    type: SessionListResponse,
    example: {
      sessions: [
        SESSION_EXAMPLE,
        {
          ...SESSION_EXAMPLE,
          id: '0c6d2e7a-91f4-4b8e-a3c5-7e1d9b2f6a48',
          user_agent:
            'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
          label: 'Safari on iPhone',
          current: false,
        },
      ],
      next_cursor: null,
    },
    description: 'One page of sessions.',
  })
  @ApiError(400, '`limit` or `cursor` is not valid.', {
    'Bad limit': [M.invalidLimit],
    'Bad cursor': [M.invalidCursor],
  })
  listSessions(
    @CurrentUser() caller: AuthenticatedUser,
    @Query() query: Record<string, unknown>,
  ): Promise<SessionListResponse> {
    return this.listUseCase.execute(caller, parseSessionPage(query));
  }

  @Post('revoke-others')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'End your other sessions',
    description:
      'No body. Revokes every session of the user but the one of this access token, at once on every ' +
      'instance; this one keeps working.',
  })
  @ApiOkResponse({
    type: RevokeOthersResponse,
    example: { message: M.otherSessionsRevoked, revoked: 2 },
    description: 'The other sessions are ended.',
  })
  @ApiError(400, 'A body was sent, and it is not valid JSON.', MALFORMED_JSON)
  @ApiBodyErrors()
  revokeOtherSessions(@CurrentUser() caller: AuthenticatedUser): Promise<RevokeOthersResponse> {
    return this.revokeOthersUseCase.execute(caller);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'End one session',
    description:
      'Revokes the session: its access and refresh tokens are refused at once, on every instance. Ending ' +
      'the current session is allowed (this access token then gets 401).',
  })
  @ApiParam({
    name: 'id',
    description: 'A session `id` from the list.',
    example: SESSION_EXAMPLE.id,
  })
  @ApiNoContentResponse({ description: 'Ended.' })
  @ApiError(
    404,
    "Unknown, already ended or malformed id, or another user's session (the same answer for all).",
    M.sessionNotFound,
  )
  @ApiError(400, 'A body was sent, and it is not valid JSON.', MALFORMED_JSON)
  @ApiBodyErrors()
  async revokeSession(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id') id: string,
  ): Promise<void> {
    await this.revokeUseCase.execute(caller, id);
  }
}
