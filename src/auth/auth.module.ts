import { Module } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { EventsModule } from '../events/events.module.js';
import { MailModule } from '../mail/mail.module.js';
import { SecurityAlerts } from './alerts/security-alerts.service.js';
import { PasswordModule } from '../password/password.module.js';
import { StateModule } from '../state/state.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccessTokenAuthenticator } from './guards/access-token-authenticator.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { JwtStrategy } from './guards/jwt.strategy.js';
import { ChangePasswordUseCase } from './password/change-password.usecase.js';
import { ForgotPasswordLimits } from './password/forgot-password-limits.service.js';
import { ForgotPasswordUseCase } from './password/forgot-password.usecase.js';
import { PasswordNotifications } from './password/password-notifications.service.js';
import { PasswordController } from './password/password.controller.js';
import { ResetPasswordUseCase } from './password/reset-password.usecase.js';
import { RevocationPruner } from './revocation/revocation-pruner.service.js';
import { BlacklistInserter, FamilyInserter } from './revocation/revocation-inserters.js';
import { TokenRevocationService } from './revocation/token-revocation.service.js';
import { LoginAttempts } from './session/login-attempts.service.js';
import { LoginUseCase } from './session/login.usecase.js';
import { LogoutAllUseCase } from './session/logout-all.usecase.js';
import { LogoutUseCase } from './session/logout.usecase.js';
import { RefreshTokenUseCase } from './session/refresh-token.usecase.js';
import { SessionController } from './session/session.controller.js';
import { LastUsedWriter } from './sessions/last-used-writer.js';
import { ListSessionsUseCase } from './sessions/list-sessions.usecase.js';
import { RevokeOtherSessionsUseCase } from './sessions/revoke-other-sessions.usecase.js';
import { RevokeSessionUseCase } from './sessions/revoke-session.usecase.js';
import { SessionOpener } from './sessions/session-opener.service.js';
import { SessionRevoker } from './sessions/session-revoker.service.js';
import { SessionRegistry } from './sessions/session.registry.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { TokenKeyRing } from './tokens/token-key-ring.js';
import { TokenSigner } from './tokens/token-signer.js';
import { TokenService } from './tokens/token.service.js';

/** Tokens, the Bearer guard, revocation, and the session and password flows. */
@Module({
  imports: [EventsModule, UsersModule, PasswordModule, MailModule, StateModule, PassportModule],
  controllers: [SessionController, SessionsController, PasswordController],
  providers: [
    TokenKeyRing,
    TokenSigner,
    // @nestjs/jwt's interface with otp-auth's keys and checks, for a host that injects JwtService.
    { provide: JwtService, useExisting: TokenSigner },
    TokenService,
    TokenRevocationService,
    BlacklistInserter,
    FamilyInserter,
    RevocationPruner,
    AccessTokenAuthenticator,
    JwtStrategy,
    JwtAuthGuard,
    LoginAttempts,
    LoginUseCase,
    RefreshTokenUseCase,
    LogoutUseCase,
    LogoutAllUseCase,
    ForgotPasswordLimits,
    PasswordNotifications,
    ForgotPasswordUseCase,
    ResetPasswordUseCase,
    ChangePasswordUseCase,
    SessionRegistry,
    SessionRevoker,
    SessionOpener,
    LastUsedWriter,
    ListSessionsUseCase,
    RevokeSessionUseCase,
    RevokeOtherSessionsUseCase,
    SecurityAlerts,
  ],
  exports: [
    JwtAuthGuard,
    AccessTokenAuthenticator,
    TokenService,
    TokenKeyRing,
    TokenSigner,
    JwtService,
    TokenRevocationService,
    RevocationPruner,
    LoginAttempts,
  ],
})
export class AuthModule {}
