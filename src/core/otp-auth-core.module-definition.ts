import { ConfigurableModuleBuilder, Inject } from '@nestjs/common';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';

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
  .setExtras({}, (definition) => ({ ...definition, global: true }))
  .build();

/** Injects the validated {@link OtpAuthOptions}. */
export const InjectOtpAuthOptions = (): ParameterDecorator => Inject(OTP_AUTH_OPTIONS);
