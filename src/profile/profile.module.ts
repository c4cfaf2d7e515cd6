import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { StateModule } from '../state/state.module.js';
import { UsersModule } from '../users/users.module.js';
import { ProfileController } from './profile.controller.js';
import { ProfileService } from './profile.service.js';

/** The signed-in user's own account. */
@Module({
  imports: [UsersModule, AuthModule, StateModule],
  controllers: [ProfileController],
  providers: [ProfileService],
})
export class ProfileModule {}
