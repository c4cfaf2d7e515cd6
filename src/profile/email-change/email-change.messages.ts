import { RegistrationMessages } from '../../otp/registration.messages.js';

/**
 * The e-mail change's messages: those it shares with registration are the same strings, so a
 * client matches one text for one meaning.
 */
export const EmailChangeMessages = {
  otpSent: 'OTP sent to your new email.',
  sameEmail: 'The new email address is the same as the current one.',
  maxAttemptsExceeded: 'Maximum OTP attempts exceeded. Please request a new code.',
  accountSendCap: 'Too many codes sent for this account. Please try again later.',
  accountFailureCap: 'Too many wrong codes for this account. Please try again later.',
  otpExpiredOrInvalid: RegistrationMessages.otpExpiredOrInvalid,
  invalidOtp: RegistrationMessages.invalidOtp,
  invalidEmail: RegistrationMessages.invalidEmail,
  sendFailed: RegistrationMessages.sendFailed,
  resendCooldown: RegistrationMessages.resendCooldown,
  addressSendCap: RegistrationMessages.addressSendCap,
  addressFailureCap: RegistrationMessages.addressFailureCap,
} as const;
