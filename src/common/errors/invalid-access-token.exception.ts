import { UnauthorizedException } from '@nestjs/common';

/**
 * The challenge of every 401 (RFC 6750 §3; SPEC: every 401 carries `WWW-Authenticate: Bearer`).
 * The scheme must be followed by a parameter, hence the realm.
 */
export const BEARER_CHALLENGE = 'Bearer realm="otp-auth"';

/** The challenge of a 401 refusing an access token that was presented (RFC 6750 §3.1). */
export const INVALID_TOKEN_CHALLENGE = `${BEARER_CHALLENGE}, error="invalid_token"`;

/**
 * 401 for an access token that was presented and refused: malformed, badly signed, expired,
 * revoked, or its account gone. The exception filter answers it with the `invalid_token`
 * challenge; any other 401 (no token sent, a failed login) gets the plain one.
 */
export class InvalidAccessTokenException extends UnauthorizedException {}
