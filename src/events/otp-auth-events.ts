/** Names of the events otp-auth emits on @nestjs/event-emitter's bus, when the host has one. */
export const OtpAuthEventName = {
  userRegistered: 'otp-auth.user.registered',
  loggedIn: 'otp-auth.user.logged-in',
  passwordReset: 'otp-auth.password.reset',
} as const;

/** A user confirmed their code: the account now exists. */
export interface UserRegisteredEvent {
  userId: string;
  email: string;
  fullName: string;
}

/** A user logged in with their password. */
export interface LoggedInEvent {
  userId: string;
  email: string;
}

/** A user set a new password with a reset token; every session of theirs was revoked. */
export interface PasswordResetEvent {
  userId: string;
  email: string;
}

/**
 * Callbacks a host can pass in the module options instead of (or besides) listening on the
 * event bus. They run after the response is decided and never change it; a throwing hook is
 * logged.
 */
export interface OtpAuthHooks {
  onUserRegistered?: (event: UserRegisteredEvent) => void | Promise<void>;
  onLoggedIn?: (event: LoggedInEvent) => void | Promise<void>;
  onPasswordReset?: (event: PasswordResetEvent) => void | Promise<void>;
}
