import { Injectable } from '@nestjs/common';
import { SecurityLog } from '../../common/logging/security-log.js';
import { AuthMessages } from '../auth.messages.js';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import { TokenRevocationService } from '../revocation/token-revocation.service.js';

/** `POST logout-all/`: every refresh and access token of the user, on every device. */
@Injectable()
export class LogoutAllUseCase {
  private readonly securityLog = new SecurityLog('Logout');

  constructor(private readonly revocation: TokenRevocationService) {}

  async execute(caller: AuthenticatedUser): Promise<{ message: string }> {
    await this.revocation.revokeAllForUser(caller.id);
    this.securityLog.info('logout_all', { user_id: caller.id });
    return { message: AuthMessages.loggedOutEverywhere };
  }
}
