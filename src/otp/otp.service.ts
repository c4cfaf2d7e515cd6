import { Injectable } from '@nestjs/common';
import {
  createHmac,
  createSecretKey,
  hkdfSync,
  randomInt,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';

/**
 * One-time codes: drawn with a CSPRNG, stored only as an HMAC bound to the address (so a code
 * for one address proves nothing for another), compared in constant time.
 */
@Injectable()
export class OtpService {
  private readonly length: number;
  private readonly key: KeyObject;

  constructor(@InjectOtpAuthOptions() options: OtpAuthOptions) {
    this.length = options.otp.length;
    // A key of its own, derived from the signing secret, so that no OTP hash is a JWT signature.
    // Held as a KeyObject: given a Buffer, createHmac imports it anew on every call (≈ 12 µs
    // against ≈ 1.7 µs here, twice per registration).
    this.key = createSecretKey(
      Buffer.from(hkdfSync('sha256', options.auth.jwtSecret, '', 'otp-auth/otp-hmac', 32)),
    );
  }

  generate(): string {
    return randomInt(0, 10 ** this.length)
      .toString()
      .padStart(this.length, '0');
  }

  hash(email: string, code: string): string {
    return createHmac('sha256', this.key).update(`${email}\n${code}`).digest('base64url');
  }

  matches(email: string, code: string, expectedHash: string): boolean {
    const actual = Buffer.from(this.hash(email, code));
    const expected = Buffer.from(expectedHash);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}
