import { Injectable } from '@nestjs/common';
import { AuthMessages } from '../auth.messages.js';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import { TokenRevocationService } from '../revocation/token-revocation.service.js';

/** `POST logout-all/`: every refresh and access token of the user, on every device. */
@Injectable()
export class LogoutAllUseCase {
  constructor(private readonly revocation: TokenRevocationService) {}

  async execute(caller: AuthenticatedUser): Promise<{ message: string }> {
    await this.revocation.revokeAllForUser(caller.id);
    return { message: AuthMessages.loggedOutEverywhere };
  }
}
