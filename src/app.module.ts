import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import type { AppConfig } from './config/environment.js';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter.js';
import { HealthModule } from './health/health.module.js';
import { OtpAuthModule } from './otp-auth.module.js';

/**
 * The standalone service: the first host of {@link OtpAuthModule} (which brings its own database
 * connection and mailer), plus the health endpoint. The configuration arrives already validated (see
 * `loadAppConfig`) and is served to the app through @nestjs/config's typed ConfigService.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          ignoreEnvVars: true,
          load: [() => config],
        }),
        OtpAuthModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (configService: ConfigService<AppConfig, true>) =>
            configService.get('otpAuth', { infer: true }),
        }),
        HealthModule,
      ],
      // The module's routes bring their own validation pipe and filter. No global pipe (it would
      // validate every body twice); the filter also shapes what no controller answers: unknown
      // paths, and errors raised before routing.
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
