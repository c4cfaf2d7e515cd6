/**
 * The registration flow's messages, exactly as the original API answered them; the two caps per
 * address are this service's own.
 */
export const RegistrationMessages = {
  otpSent: 'OTP sent to your email.',
  otpExpiredOrInvalid: 'OTP expired or invalid.',
  invalidOtp: 'Invalid OTP.',
  maxAttemptsExceeded: 'Maximum OTP attempts exceeded. Please register again.',
  userRegistered: 'User registered successfully.',
  invalidEmail: 'Invalid email address.',
  sendFailed: 'Could not send the verification email. Please try again.',
  resendCooldown: 'Please wait before requesting a new OTP.',
  sendLimit: 'Too many OTP requests for this registration. Please try again later.',
  addressSendCap: 'Too many codes sent to this address. Please try again later.',
  addressFailureCap: 'Too many wrong codes for this address. Please try again later.',
} as const;
