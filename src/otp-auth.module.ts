import { DynamicModule, Module, type Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants.js';
import { APP_GUARD, HttpAdapterHost, RouterModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerModule } from '@nestjs/throttler';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module.js';
import { JwtAuthGuard } from './auth/guards/jwt-auth.guard.js';
import { JwksModule } from './auth/jwks/jwks.module.js';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter.js';
import { BodyErrorHook } from './common/http/body-error.hook.js';
import { HttpConventions } from './common/http/http-conventions.decorator.js';
import type { OtpAuthOptions } from './config/otp-auth-options.js';
import {
  DEFAULT_EXTRAS,
  OTP_AUTH_ASYNC_OPTIONS_TYPE,
  OTP_AUTH_OPTIONS,
  OTP_AUTH_OPTIONS_TYPE,
  type OtpAuthModuleExtras,
} from './core/otp-auth-core.module-definition.js';
import { OtpAuthCoreModule } from './core/otp-auth-core.module.js';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './database/database.options.js';
import { runPendingMigrations } from './database/migration-runner.js';
import {
  otpAuthRepositoryProviders,
  otpAuthRepositoryTokens,
} from './database/otp-auth-repositories.js';
import { EmailValidationModule } from './email-validation/email-validation.module.js';
import { MailModule } from './mail/mail.module.js';
import { ownMailerModule } from './mail/own-mailer.module.js';
import { OtpModule } from './otp/otp.module.js';
import { PasswordModule } from './password/password.module.js';
import { ProfileModule } from './profile/profile.module.js';
import { AtomicStore } from './state/atomic-store.js';
import { AtomicThrottlerStorage } from './state/atomic-throttler.storage.js';
import { StateModule } from './state/state.module.js';
import { UsersModule } from './users/users.module.js';

const PER_IP_WINDOW_MS = 60_000;

/** The modules that serve the API under the route prefix. */
const FEATURE_MODULES = [OtpModule, AuthModule, ProfileModule];

// Every route of the module gets the module's validation and error shape in any host, whatever
// the host sets globally, and the host's routes keep the host's. Marked here, once per controller
// when this file loads, for every controller the module serves, so a new one cannot be missed.
for (const module of [...FEATURE_MODULES, MailModule, JwksModule]) {
  const controllers = (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, module) ?? []) as Type[];
  for (const controller of controllers) HttpConventions()(controller);
}

/** Name of the module's own TypeORM connection. */
export const OTP_AUTH_CONNECTION = 'otp-auth';

/**
 * Email-OTP authentication for a Nest application: registration by e-mailed code, JWT sessions
 * with rotation and revocation, password recovery, profile. Import it once, with `forRoot` or
 * `forRootAsync`; see {@link OtpAuthModuleExtras} for how it sits in the host.
 */
@Module({})
export class OtpAuthModule {
  static forRoot(options: typeof OTP_AUTH_OPTIONS_TYPE): DynamicModule {
    return OtpAuthModule.compose(OtpAuthCoreModule.forRoot(options), options);
  }

  static forRootAsync(options: typeof OTP_AUTH_ASYNC_OPTIONS_TYPE): DynamicModule {
    return OtpAuthModule.compose(OtpAuthCoreModule.forRootAsync(options), options);
  }

  private static compose(core: DynamicModule, given: OtpAuthModuleExtras): DynamicModule {
    const extras = { ...DEFAULT_EXTRAS, ...definedOnly(given) };
    const ownConnection = extras.connection !== 'host';
    const dataSourceName = ownConnection ? OTP_AUTH_CONNECTION : extras.hostConnectionName;
    const routePrefix = extras.routePrefix ?? 'api/users';

    return {
      module: OtpAuthModule,
      imports: [
        {
          ...core,
          providers: [
            ...(core.providers ?? []),
            ...otpAuthRepositoryProviders(getDataSourceToken(dataSourceName)),
          ],
          exports: [...(core.exports ?? []), ...otpAuthRepositoryTokens()],
        },
        ...(ownConnection
          ? [
              TypeOrmModule.forRootAsync({
                name: OTP_AUTH_CONNECTION,
                inject: [OTP_AUTH_OPTIONS],
                useFactory: (options: OtpAuthOptions) => {
                  if (!options.database) {
                    throw new Error(
                      'otp-auth: options.database is required for its own connection',
                    );
                  }
                  return { ...buildDataSourceOptions(options.database), name: OTP_AUTH_CONNECTION };
                },
                // Migrations first, one instance at a time, then the connection the app uses.
                dataSourceFactory: async (options) => {
                  await runPendingMigrations(options!);
                  return new DataSource(options!);
                },
              }),
            ]
          : []),
        ...(extras.mailer === 'own' ? [ownMailerModule()] : []),
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
        ScheduleModule.forRoot(),
        UsersModule,
        PasswordModule,
        EmailValidationModule,
        MailModule,
        ...FEATURE_MODULES,
        JwksModule,
        RouterModule.register(FEATURE_MODULES.map((module) => ({ path: routePrefix, module }))),
      ],
      providers: [
        // Secure by default: every route of the app needs a Bearer token unless marked @Public().
        ...(extras.globalGuard ? [{ provide: APP_GUARD, useExisting: JwtAuthGuard }] : []),
        AllExceptionsFilter,
        {
          provide: BodyErrorHook,
          inject: [HttpAdapterHost, AllExceptionsFilter],
          useFactory: (adapterHost: HttpAdapterHost, filter: AllExceptionsFilter) =>
            new BodyErrorHook(adapterHost, filter, routePrefix),
        },
      ],
      exports: [UsersModule, PasswordModule, StateModule, AuthModule, EmailValidationModule],
    };
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
