import { ConfigurableModuleBuilder, Inject } from '@nestjs/common';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';

/** Choices about how the module sits in its host, fixed when the host imports it. */
export interface OtpAuthModuleExtras {
  /** Path under which the API is served; default `api/users`. */
  routePrefix?: string;
  /**
   * Register the Bearer guard for the whole app (secure by default; routes opt out with
   * `@Public()`). Default true; with false, protect routes with `@UseGuards(OtpAuthGuard)`.
   */
  globalGuard?: boolean;
  /**
   * `own` (default): a TypeORM connection of the module's own, from `options.database`, with
   * migrations run at startup. `host`: the host's TypeORM connection (the one named
   * `hostConnectionName`, default the unnamed one), which must register `OTP_AUTH_ENTITIES` and
   * run `OTP_AUTH_MIGRATIONS`.
   */
  connection?: 'own' | 'host';
  /** With `connection: 'host'`: the name the host gave its TypeORM connection, if any. */
  hostConnectionName?: string;
  /** `own` (default): the module's mailer from `options.mail`; `host`: the host's MailerModule. */
  mailer?: 'own' | 'host';
}

/** The defaults of {@link OtpAuthModuleExtras}. */
export const DEFAULT_EXTRAS: OtpAuthModuleExtras = {
  routePrefix: 'api/users',
  globalGuard: true,
  connection: 'own',
  mailer: 'own',
};

/**
 * Holds the module's options. Global (like @nestjs/typeorm's core module) so that every feature
 * module of otp-auth can inject them without importing its parent; the token is a Symbol, so it
 * cannot clash with a host's own providers.
 */
export const {
  ConfigurableModuleClass: OtpAuthCoreConfigurableModule,
  MODULE_OPTIONS_TOKEN: OTP_AUTH_OPTIONS,
  OPTIONS_TYPE: OTP_AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: OTP_AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<OtpAuthOptions>({
  optionsInjectionToken: Symbol('OTP_AUTH_OPTIONS'),
})
  .setClassMethodName('forRoot')
  .setExtras<OtpAuthModuleExtras>(DEFAULT_EXTRAS, (definition) => ({ ...definition, global: true }))
  .build();

/** Injects the validated {@link OtpAuthOptions}. */
export const InjectOtpAuthOptions = (): ParameterDecorator => Inject(OTP_AUTH_OPTIONS);
