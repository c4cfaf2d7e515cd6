import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from './config/environment.js';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter.js';
import { RequestValidationPipe } from './common/http/request-validation.pipe.js';
import { buildDataSourceOptions } from './database/database.options.js';
import { runPendingMigrations } from './database/migration-runner.js';
import { HealthModule } from './health/health.module.js';
import { OtpAuthModule } from './otp-auth.module.js';

/**
 * The standalone service: the first host of {@link OtpAuthModule}, with its own database
 * connection and health endpoint. The configuration arrives already validated (see
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
        TypeOrmModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (configService: ConfigService<AppConfig, true>) =>
            buildDataSourceOptions(configService.get('database', { infer: true })),
          // Migrations first, one instance at a time, then the connection the app uses.
          dataSourceFactory: async (options) => {
            await runPendingMigrations(options!);
            return new DataSource(options!);
          },
        }),
        OtpAuthModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (configService: ConfigService<AppConfig, true>) =>
            configService.get('otpAuth', { infer: true }),
        }),
        HealthModule,
      ],
      providers: [
        { provide: APP_PIPE, useClass: RequestValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
