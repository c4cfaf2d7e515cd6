import { Module } from '@nestjs/common';
import { UsersService } from './users.service.js';

/** Accounts: the `users` table and the operations on it. */
@Module({
  providers: [UsersService],
  exports: [UsersService],
})
export class UsersModule {}
