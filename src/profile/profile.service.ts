import { Injectable, UnauthorizedException } from '@nestjs/common';
import { TokenRevocationService } from '../auth/revocation/token-revocation.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';

/** The signed-in user's own account: read, rename, deactivate. */
@Injectable()
export class ProfileService {
  constructor(
    private readonly users: UsersService,
    private readonly revocation: TokenRevocationService,
  ) {}

  async get(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    // The guard let the token through, so only a race with deactivation lands here.
    if (!user || !user.isActive) throw new UnauthorizedException();
    return user;
  }

  async rename(userId: string, fullName: string): Promise<User> {
    await this.users.updateFullName(userId, fullName);
    return this.get(userId);
  }

  /** Soft delete: the row stays, the account can no longer sign in, every token dies. */
  async deactivate(userId: string): Promise<void> {
    await this.revocation.revokeAllForUser(userId, { isActive: false });
  }
}
