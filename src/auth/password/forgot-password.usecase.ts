import { Injectable, Logger } from '@nestjs/common';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import { UsersService } from '../../users/users.service.js';
import { AuthMessages } from '../auth.messages.js';
import type { ForgotPasswordDto } from '../dto/forgot-password.dto.js';
import type { ResetTokenExposedResponse } from '../dto/token-pair.response.js';
import { TokenService } from '../tokens/token.service.js';
import { ForgotPasswordLimits } from './forgot-password-limits.service.js';
import { PasswordNotifications } from './password-notifications.service.js';

/**
 * `POST forgot-password/`: the same answer, in body and time, for every well-formed address.
 * The lookup and the e-mail happen off the request path, so neither timing nor an SMTP failure
 * tells a known address from an unknown one.
 */
@Injectable()
export class ForgotPasswordUseCase {
  private readonly logger = new Logger('ForgotPassword');
  private readonly exposeResetToken: boolean;

  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly limits: ForgotPasswordLimits,
    private readonly notifications: PasswordNotifications,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    // Refused at startup in production (see config); a development aid only.
    this.exposeResetToken = options.auth.exposeResetToken && !options.production;
  }

  async execute({ email }: ForgotPasswordDto): Promise<ResetTokenExposedResponse> {
    if (this.exposeResetToken) {
      const token = await this.sendResetLink(email).catch(() => null);
      return token
        ? { message: AuthMessages.resetLinkSent, reset_token: token }
        : { message: AuthMessages.resetLinkSent };
    }
    setImmediate(() => {
      this.sendResetLink(email).catch((error: Error) =>
        this.logger.error(`Reset e-mail not sent: ${error.message}`),
      );
    });
    return { message: AuthMessages.resetLinkSent };
  }

  /** Returns the token that was mailed, or null when nothing was sent. */
  private async sendResetLink(email: string): Promise<string | null> {
    if (!(await this.limits.tryAcquire(email))) return null;
    const user = await this.users.findByEmail(email);
    if (!user || !user.isActive) return null;
    const token = this.tokens.issueResetToken(user);
    await this.notifications.sendResetLink(user, token);
    return token;
  }
}
