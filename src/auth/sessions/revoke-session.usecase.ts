import { Injectable, NotFoundException } from '@nestjs/common';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import { SESSION_ID_PATTERN } from './session-cursor.js';
import { SessionRegistry } from './session.registry.js';
import { SessionRevoker, toRevoke } from './session-revoker.service.js';
import { SessionMessages } from './sessions.messages.js';

/**
 * `DELETE sessions/{id}/`: ends one of the caller's sessions, the current one included. Another
 * user's session, an unknown, revoked or malformed id all get the same 404, so that the answer
 * never tells whether a session exists.
 */
@Injectable()
export class RevokeSessionUseCase {
  constructor(
    private readonly registry: SessionRegistry,
    private readonly revoker: SessionRevoker,
  ) {}

  async execute(caller: AuthenticatedUser, id: string): Promise<void> {
    const owner = SESSION_ID_PATTERN.test(id) ? await this.registry.ownerOf(caller.id) : null;
    const session = owner ? await this.registry.findLive(owner, id) : null;
    if (!session) throw new NotFoundException(SessionMessages.sessionNotFound);
    await this.revoker.revoke([toRevoke(session)], 'revoked_by_user');
  }
}
