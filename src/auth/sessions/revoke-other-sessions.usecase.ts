import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import type { RevokeOthersResponse } from './dto/session.response.js';
import { SessionRegistry } from './session.registry.js';
import { SessionRevoker, toRevoke } from './session-revoker.service.js';
import { SessionMessages } from './sessions.messages.js';

/** `POST sessions/revoke-others/`: every live session of the caller but the current one. */
@Injectable()
export class RevokeOtherSessionsUseCase {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly revoker: SessionRevoker,
  ) {}

  async execute(caller: AuthenticatedUser): Promise<RevokeOthersResponse> {
    const owner = await this.registry.ownerOf(caller.id);
    const others = owner
      ? (await this.registry.allLive(owner)).filter((session) => session.id !== caller.family)
      : [];
    await this.revoker.revoke(others.map(toRevoke), 'revoked_as_other');
    return { message: SessionMessages.otherSessionsRevoked, revoked: others.length };
  }
}
