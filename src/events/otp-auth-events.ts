/** Names of the events otp-auth emits on @nestjs/event-emitter's bus, when the host has one. */
export const OtpAuthEventName = {
  userRegistered: 'otp-auth.user.registered',
  loggedIn: 'otp-auth.user.logged-in',
  passwordReset: 'otp-auth.password.reset',
  sessionRevoked: 'otp-auth.session.revoked',
  sessionReuseDetected: 'otp-auth.session.reuse-detected',
  newDeviceLogin: 'otp-auth.login.new-device',
  emailChanged: 'otp-auth.email.changed',
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
 * One session (a login and its rotations) was revoked on its own: by its user from the session
 * list, by logout, by the per-user cap, or because a rotated refresh token was reused. Revoking
 * all of a user's sessions at once (logout-all, password change or reset, deactivation) is told
 * by those flows, not once per session.
 */
export interface SessionRevokedEvent {
  userId: string;
  sessionId: string;
  reason: SessionRevocationReason;
}

/** Why one session was revoked. */
export type SessionRevocationReason =
  'revoked_by_user' | 'revoked_as_other' | 'session_cap' | 'logout' | 'reuse_detected';

/**
 * A rotated refresh token was presented again after the grace period, so its session was ended
 * (a `reuse_detected` {@link SessionRevokedEvent} is emitted too). Where and from what the session
 * was opened comes from its row; `presentedFromIp` is the address of the request that reused it.
 */
export interface SessionReuseDetectedEvent {
  userId: string;
  sessionId: string;
  /** The session's client label, e.g. "Firefox on Linux". */
  label: string;
  /** The address the session was opened from. */
  ip: string;
  presentedFromIp: string;
  at: Date;
}

/**
 * A login (with `newDeviceAlerts` on) came from a client label none of the user's other
 * sessions, live or past, had. Never emitted for a user's first session.
 */
export interface NewDeviceLoginEvent {
  userId: string;
  sessionId: string;
  label: string;
  ip: string;
  at: Date;
}

/**
 * A user confirmed the code sent to a new address, and the account moved to it. Sessions stay;
 * the previous address was told by e-mail. `ip` and `label` are those of the confirming request.
 */
export interface EmailChangedEvent {
  userId: string;
  previousEmail: string;
  email: string;
  /** The client label of the confirming request, e.g. "Firefox on Linux". */
  label: string;
  ip: string;
  at: Date;
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
  onSessionRevoked?: (event: SessionRevokedEvent) => void | Promise<void>;
  onSessionReuseDetected?: (event: SessionReuseDetectedEvent) => void | Promise<void>;
  onNewDeviceLogin?: (event: NewDeviceLoginEvent) => void | Promise<void>;
  onEmailChanged?: (event: EmailChangedEvent) => void | Promise<void>;
}
