import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { isAxiosError } from 'axios';
import { firstValueFrom } from 'rxjs';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';

/**
 * The largest answer read, decompressed: a `check` answer is well under 1 KiB. A bigger one
 * (a proxy's error page, a hostile endpoint) is a failure, never a buffer that grows with it.
 */
export const MAX_ANSWER_BYTES = 64 * 1024;

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
 *
 * The request carries the API key in its query string, so it goes only to the configured URL
 * (HTTPS by default): a redirect is a failure, never followed, as following it would hand the
 * key and the address to wherever it points, and take a verdict from there.
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
          maxRedirects: 0,
          maxContentLength: MAX_ANSWER_BYTES,
          validateStatus: (status) => status >= 200 && status < 300,
        }),
      );
      if (typeof response.data !== 'object' || response.data === null) {
        throw new MailboxlayerUnavailableError('answer is not JSON');
      }
      return response.data;
    } catch (error) {
      if (error instanceof MailboxlayerUnavailableError) throw error;
      throw new MailboxlayerUnavailableError(failureReason(error));
    }
  }
}

/**
 * Why a request failed, in words that carry neither the URL nor its query: axios errors carry
 * the request URL, and with it the API key.
 */
function failureReason(error: unknown): string {
  if (!isAxiosError(error)) return 'request failed';
  const status = error.response?.status;
  if (status !== undefined) {
    return status >= 300 && status < 400
      ? `HTTP ${status}, a redirect (not followed)`
      : `HTTP ${status}`;
  }
  if (error.message.startsWith('maxContentLength')) {
    return `answer larger than ${MAX_ANSWER_BYTES / 1024} KiB`;
  }
  return error.code ?? 'network error';
}
