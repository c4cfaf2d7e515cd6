/** The session and password flows' messages, exactly as the original API answered them. */
export const AuthMessages = {
  invalidCredentials: 'Invalid email or password.',
  tooManyLoginFailures: 'Too many failed login attempts. Please try again later.',
  invalidRefreshToken: 'Invalid or expired refresh token.',
  refreshTokenRequired: 'Refresh token is required.',
  invalidLogoutToken: 'Invalid refresh token.',
  loggedOut: 'Successfully logged out.',
  loggedOutEverywhere: 'Logged out from all sessions.',
  resetLinkSent: 'If an account with that email exists, a password reset link has been sent.',
  resetTokenRequired: 'Reset token is required.',
  invalidResetToken: 'Invalid or expired reset token.',
  passwordReset: 'Password has been successfully reset.',
  currentPasswordIncorrect: 'Current password is incorrect.',
} as const;
