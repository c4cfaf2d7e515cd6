import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerModule } from '@nestjs/throttler';
import type { OtpAuthOptions } from './config/otp-auth-options.js';
import {
  OTP_AUTH_ASYNC_OPTIONS_TYPE,
  OTP_AUTH_OPTIONS,
  OTP_AUTH_OPTIONS_TYPE,
} from './core/otp-auth-core.module-definition.js';
import { OtpAuthCoreModule } from './core/otp-auth-core.module.js';
import { AuthModule } from './auth/auth.module.js';
import { JwtAuthGuard } from './auth/guards/jwt-auth.guard.js';
import { EmailValidationModule } from './email-validation/email-validation.module.js';
import { MailModule } from './mail/mail.module.js';
import { OtpModule } from './otp/otp.module.js';
import { PasswordModule } from './password/password.module.js';
import { ProfileModule } from './profile/profile.module.js';
import { AtomicStore } from './state/atomic-store.js';
import { AtomicThrottlerStorage } from './state/atomic-throttler.storage.js';
import { StateModule } from './state/state.module.js';
import { UsersModule } from './users/users.module.js';

const PER_IP_WINDOW_MS = 60_000;

/**
 * Email-OTP authentication for a Nest application: registration by e-mailed code, JWT sessions,
 * password recovery. Expects a TypeORM connection with {@link OTP_AUTH_ENTITIES} registered.
 */
@Module({})
export class OtpAuthModule {
  static forRoot(options: typeof OTP_AUTH_OPTIONS_TYPE): DynamicModule {
    return OtpAuthModule.compose(OtpAuthCoreModule.forRoot(options));
  }

  static forRootAsync(options: typeof OTP_AUTH_ASYNC_OPTIONS_TYPE): DynamicModule {
    return OtpAuthModule.compose(OtpAuthCoreModule.forRootAsync(options));
  }

  private static compose(core: DynamicModule): DynamicModule {
    return {
      module: OtpAuthModule,
      imports: [
        core,
        StateModule,
        ThrottlerModule.forRootAsync({
          imports: [StateModule],
          inject: [OTP_AUTH_OPTIONS, AtomicStore],
          useFactory: (options: OtpAuthOptions, store: AtomicStore) => ({
            throttlers: [{ ttl: PER_IP_WINDOW_MS, limit: options.rateLimitPerIp }],
            // One budget per IP across all public POST endpoints (SPEC), not one per route.
            generateKey: (_context: unknown, tracker: string, name: string) => `${name}:${tracker}`,
            storage: new AtomicThrottlerStorage(store),
          }),
        }),
        UsersModule,
        PasswordModule,
        EmailValidationModule,
        MailModule,
        OtpModule,
        AuthModule,
        ProfileModule,
        ScheduleModule.forRoot(),
      ],
      // Secure by default: every route of the app needs a Bearer token unless marked @Public().
      providers: [{ provide: APP_GUARD, useExisting: JwtAuthGuard }],
      exports: [UsersModule, PasswordModule, StateModule, AuthModule],
    };
  }
}
