/**
 * otp-auth: email-OTP authentication for NestJS. This file is the package's public API.
 * @packageDocumentation
 */

// The module and its options
export { OtpAuthModule, OTP_AUTH_CONNECTION } from './otp-auth.module.js';
export {
  OTP_AUTH_OPTIONS,
  InjectOtpAuthOptions,
  type OtpAuthModuleExtras,
} from './core/otp-auth-core.module-definition.js';
export type {
  Argon2Parameters,
  AuthOptions,
  DatabaseOptions,
  EmailValidationOptions,
  MailOptions,
  OtpAuthOptions,
  OtpOptions,
  PasswordOptions,
} from './config/otp-auth-options.js';
/** Builds {@link OtpAuthOptions} (and the service's settings) from environment variables. */
export { loadAppConfig as loadConfigFromEnvironment } from './config/load-app-config.js';
export { ConfigurationError, type AppConfig, type Environment } from './config/environment.js';

// Guarding routes
export { JwtAuthGuard as OtpAuthGuard } from './auth/guards/jwt-auth.guard.js';
export { Public, IS_PUBLIC_KEY } from './auth/decorators/public.decorator.js';
export { CurrentUser, type AuthenticatedUser } from './auth/decorators/current-user.decorator.js';
export { BearerAuth } from './auth/decorators/bearer-auth.decorator.js';

// Services a host may call
export { UsersService } from './users/users.service.js';
export { User } from './users/user.entity.js';
export { TokenService } from './auth/tokens/token.service.js';
export type { TokenPair, TokenType } from './auth/tokens/token-claims.js';
export { TokenRevocationService } from './auth/revocation/token-revocation.service.js';
export { RevocationPruner } from './auth/revocation/revocation-pruner.service.js';
export { PasswordHasher } from './password/password-hasher.service.js';
export { PasswordPolicy } from './password/password-policy.service.js';
export { EmailValidationService } from './email-validation/email-validation.service.js';

// Events and hooks
export {
  OtpAuthEventName,
  type EmailChangedEvent,
  type LoggedInEvent,
  type NewDeviceLoginEvent,
  type OtpAuthHooks,
  type PasswordResetEvent,
  type SessionReuseDetectedEvent,
  type SessionRevocationReason,
  type SessionRevokedEvent,
  type UserRegisteredEvent,
} from './events/otp-auth-events.js';

// Schema, for a host that brings its own TypeORM connection
export { OTP_AUTH_ENTITIES, OTP_AUTH_MIGRATIONS } from './database/otp-auth.schema.js';
export { buildDataSourceOptions } from './database/database.options.js';

// HTTP conventions of the service, for hosts that want the same error shape
export { AllExceptionsFilter } from './common/http/all-exceptions.filter.js';
export { RequestValidationPipe } from './common/http/request-validation.pipe.js';
