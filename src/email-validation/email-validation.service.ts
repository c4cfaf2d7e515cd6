import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import { MailboxlayerClient, MailboxlayerUnavailableError } from './mailboxlayer.client.js';
import { passesOfflineChecks } from './offline-email-checks.js';

export const EMAIL_VALIDATION_UNAVAILABLE =
  'Email validation service unavailable. Please try again later.';

const VERDICT_KEY_PREFIX = 'email-verdict:';

/**
 * Decides whether an address may register: the offline checks always, then Mailboxlayer when a
 * key is configured. Verdicts are cached per address to spare the API quota; failures are not.
 */
@Injectable()
export class EmailValidationService {
  private readonly logger = new Logger(EmailValidationService.name);
  private readonly failOpen: boolean;
  private readonly verdictTtlMs: number;

  constructor(
    private readonly mailboxlayer: MailboxlayerClient,
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.failOpen = options.emailValidation.failOpen;
    this.verdictTtlMs = options.emailValidation.verdictTtl * 1000;
  }

  /**
   * True when the (normalised) address looks deliverable. Throws 503 when Mailboxlayer cannot
   * answer and the service is configured to fail closed.
   */
  async isDeliverable(email: string): Promise<boolean> {
    if (!passesOfflineChecks(email)) return false;
    if (!this.mailboxlayer.enabled) return true;

    const key = VERDICT_KEY_PREFIX + email;
    const cached = await this.cache.get<boolean>(key);
    if (typeof cached === 'boolean') return cached;

    try {
      const verdict = await this.mailboxlayer.isDeliverable(email);
      await this.cache.set(key, verdict, this.verdictTtlMs);
      return verdict;
    } catch (error) {
      if (!(error instanceof MailboxlayerUnavailableError)) throw error;
      if (this.failOpen) {
        this.logger.warn(`${error.message}; accepted on the offline checks (fail-open)`);
        return true;
      }
      this.logger.warn(`${error.message}; refused (fail-closed)`);
      throw new ServiceUnavailableException(EMAIL_VALIDATION_UNAVAILABLE);
    }
  }
}
