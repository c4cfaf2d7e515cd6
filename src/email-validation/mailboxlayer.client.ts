import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { isAxiosError } from 'axios';
import { firstValueFrom } from 'rxjs';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';

/** The fields of Mailboxlayer's `check` answer that decide deliverability. */
interface MailboxlayerCheck {
  success?: boolean;
  error?: { code?: number; type?: string };
  format_valid?: boolean;
  mx_found?: boolean;
  smtp_check?: boolean;
  disposable?: boolean;
}

/** Mailboxlayer could not give a verdict; the message never contains the API key. */
export class MailboxlayerUnavailableError extends Error {
  constructor(reason: string) {
    super(`Mailboxlayer unavailable: ${reason}`);
    this.name = 'MailboxlayerUnavailableError';
  }
}

/**
 * Mailboxlayer's check API (https://mailboxlayer.com/documentation). It reports an invalid key
 * (101) or an exhausted quota (104) with HTTP 200 and `"success": false`, which counts as a
 * failure to answer, not as a verdict.
 */
@Injectable()
export class MailboxlayerClient {
  private readonly apiKey?: string;
  private readonly url: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly http: HttpService,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.apiKey = options.emailValidation.mailboxlayerApiKey;
    this.url = options.emailValidation.mailboxlayerUrl;
    this.timeoutMs = options.emailValidation.timeoutMs;
  }

  get enabled(): boolean {
    return this.apiKey !== undefined;
  }

  /** True when deliverable; throws {@link MailboxlayerUnavailableError} when there is no verdict. */
  async isDeliverable(email: string): Promise<boolean> {
    const body = await this.check(email);
    if (body.success === false || body.error) {
      throw new MailboxlayerUnavailableError(
        `API error ${body.error?.code ?? '?'} (${body.error?.type ?? 'unknown'})`,
      );
    }
    if (typeof body.format_valid !== 'boolean') {
      throw new MailboxlayerUnavailableError('unexpected answer');
    }
    return (
      body.format_valid &&
      body.mx_found === true &&
      body.smtp_check === true &&
      body.disposable !== true
    );
  }

  private async check(email: string): Promise<MailboxlayerCheck> {
    try {
      const response = await firstValueFrom(
        this.http.get<MailboxlayerCheck>(this.url, {
          params: { access_key: this.apiKey, email, smtp: 1, format: 1 },
          timeout: this.timeoutMs,
          signal: AbortSignal.timeout(this.timeoutMs),
          responseType: 'json',
          validateStatus: (status) => status >= 200 && status < 300,
        }),
      );
      if (typeof response.data !== 'object' || response.data === null) {
        throw new MailboxlayerUnavailableError('answer is not JSON');
      }
      return response.data;
    } catch (error) {
      if (error instanceof MailboxlayerUnavailableError) throw error;
      // Only the status or error code: axios errors carry the request URL, and with it the key.
      const reason = isAxiosError(error)
        ? error.response
          ? `HTTP ${error.response.status}`
          : (error.code ?? 'network error')
        : 'request failed';
      throw new MailboxlayerUnavailableError(reason);
    }
  }
}
