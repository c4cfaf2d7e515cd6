import { Injectable } from '@nestjs/common';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import { COMMON_PASSWORDS } from './common-passwords.js';

export const PASSWORD_MAX_LENGTH = 128;
/** Shorter fragments of a name or e-mail are too common to judge similarity by. */
const MIN_SIMILAR_FRAGMENT = 4;

/** What the policy knows of the account, for the similarity rule. */
export interface PasswordContext {
  email?: string;
  fullName?: string;
}

/**
 * NIST 800-63B style rules: length in code points, no composition rules, no common or numeric
 * passwords, nothing built from the account's own name or e-mail. The password is judged
 * exactly as received: no trimming or normalisation.
 */
@Injectable()
export class PasswordPolicy {
  private readonly minLength: number;

  constructor(@InjectOtpAuthOptions() options: OtpAuthOptions) {
    this.minLength = options.password.minLength;
  }

  /** Every rule the password breaks, one message each; empty when it is acceptable. */
  violations(password: string, context: PasswordContext = {}): string[] {
    const problems: string[] = [];
    const length = [...password].length;
    if (length < this.minLength) {
      problems.push(
        `This password is too short. It must contain at least ${this.minLength} characters.`,
      );
    }
    if (length > PASSWORD_MAX_LENGTH) {
      problems.push(
        `This password is too long. It must contain at most ${PASSWORD_MAX_LENGTH} characters.`,
      );
    }
    const lower = password.toLowerCase();
    if (COMMON_PASSWORDS.has(lower)) problems.push('This password is too common.');
    if (/^\d+$/.test(password)) problems.push('This password is entirely numeric.');
    if (this.isSimilar(lower, context)) {
      problems.push('This password is too similar to your email or full name.');
    }
    return problems;
  }

  private isSimilar(lowerPassword: string, { email, fullName }: PasswordContext): boolean {
    const fragments = new Set<string>();
    const localPart = email?.split('@')[0]?.toLowerCase();
    if (localPart) fragments.add(localPart);
    const name = fullName?.trim().toLowerCase();
    if (name) {
      fragments.add(name);
      for (const word of name.split(/\s+/)) fragments.add(word);
    }
    for (const fragment of fragments) {
      if (fragment.length < MIN_SIMILAR_FRAGMENT) continue;
      if (lowerPassword.includes(fragment) || fragment.includes(lowerPassword)) return true;
    }
    return false;
  }
}
