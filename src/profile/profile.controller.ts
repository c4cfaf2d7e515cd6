import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Patch } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BearerAuth } from '../auth/decorators/bearer-auth.decorator.js';
import { CurrentUser, type AuthenticatedUser } from '../auth/decorators/current-user.decorator.js';
import { Prefetched, PrefetchFromStore } from '../auth/decorators/prefetch.decorator.js';
import { ApiBodyErrors, ApiError, MALFORMED_JSON } from '../common/http/api-error.decorator.js';
import { NO_STORE } from '../common/http/api-response-headers.js';
import { PROFILE_EXAMPLE, ProfileResponse } from './dto/profile.response.js';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { profileKey, ProfileService } from './profile.service.js';

/** `GET/PATCH/DELETE /api/users/me/`. Profile answers are personal: never stored by a cache. */
@ApiTags('Profile')
@BearerAuth()
@Controller('me')
export class ProfileController {
  constructor(private readonly profile: ProfileService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Your profile',
    description:
      'The account of the access token sent as Bearer: click **Authorize** and paste `access` from login first.',
  })
  @ApiOkResponse({
    type: ProfileResponse,
    example: PROFILE_EXAMPLE,
    description: 'The signed-in user.',
    headers: NO_STORE,
  })
  // The cached profile comes with the Bearer check's store read: one round trip, not two.
  @PrefetchFromStore(profileKey)
  getProfile(
    @CurrentUser() caller: AuthenticatedUser,
    @Prefetched() cached: string | null | undefined,
  ): Promise<ProfileResponse> {
    return this.profile.get(caller.id, cached);
  }

  @Patch()
  @Header('Cache-Control', 'no-store')
  @ApiBodyErrors()
  @ApiOperation({
    summary: 'Change your name',
    description:
      'Only `full_name` changes (trimmed, 1–150 characters); other fields such as `email` or `is_active` are ignored ' +
      '(the address changes through `me/email/`).',
  })
  @ApiOkResponse({
    type: ProfileResponse,
    example: { ...PROFILE_EXAMPLE, full_name: 'Ada King' },
    description: 'Updated profile.',
    headers: NO_STORE,
  })
  @ApiError(400, 'full_name missing, empty or longer than 150 characters.', {
    'Invalid field': ['full_name should not be empty'],
    ...MALFORMED_JSON,
  })
  updateProfile(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: UpdateProfileDto,
  ): Promise<ProfileResponse> {
    return this.profile.rename(caller.id, body.full_name);
  }

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Deactivate your account',
    description:
      'Soft delete: the account stays but `is_active` becomes false, every token is revoked at once, and it can ' +
      'no longer log in.',
  })
  @ApiNoContentResponse({ description: 'Deactivated.' })
  @ApiBodyErrors()
  @ApiError(400, 'No body is read; one that is sent must be valid JSON.', MALFORMED_JSON)
  async deactivateAccount(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    await this.profile.deactivate(caller.id);
  }
}
