import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';

/**
 * argon2id hashing on libuv's thread pool (off the event loop), with the configured cost, which
 * configuration never lets fall below OWASP's minimum.
 * https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 */
@Injectable()
export class PasswordHasher {
  private readonly hashOptions: argon2.HashOptions & { raw?: false };
  /** A hash of a random password, verified against when an e-mail is unknown (equal timing). */
  private readonly dummyHash: Promise<string>;

  constructor(@InjectOtpAuthOptions() options: OtpAuthOptions) {
    const { memoryCostKiB, timeCost, parallelism } = options.password.argon2;
    this.hashOptions = { type: argon2.argon2id, memoryCost: memoryCostKiB, timeCost, parallelism };
    this.dummyHash = this.hash(randomBytes(24).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.hashOptions);
  }

  /** False for a wrong password and for a malformed hash alike. */
  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** Spends the time of one verification, so that an unknown account answers like a known one. */
  async verifyDummy(password: string): Promise<void> {
    await this.verify(await this.dummyHash, password);
  }
}
