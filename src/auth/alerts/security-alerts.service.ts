import { Injectable, Logger } from '@nestjs/common';
import { SecurityLog } from '../../common/logging/security-log.js';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import { OtpAuthEvents } from '../../events/otp-auth-events.service.js';
import { MailTransport } from '../../mail/mail-transport.service.js';
import { mailTime } from '../../mail/templates/mail-time.js';
import { newDeviceLoginMail } from '../../mail/templates/new-device-login.template.js';
import { sessionReuseMail } from '../../mail/templates/session-reuse.template.js';
import { UsersService } from '../../users/users.service.js';
import type { Session } from '../sessions/session.entity.js';
import { SessionRegistry } from '../sessions/session.registry.js';
import { UNKNOWN_CLIENT } from '../sessions/user-agent-label.js';

/** What the reuse alert needs of the reused token and of the request that presented it. */
export interface ReusedSession {
  userId: string;
  sessionId: string;
  presentedFromIp: string;
}

/**
 * Tells the owner of an account about what may be someone else using it: a session ended because
 * a refresh token was used twice, and (with `newDeviceAlerts`) a login from a client none of
 * their sessions had. Everything runs after the response is decided (`setImmediate`), so neither
 * the answer nor its timing depends on it; a failure (database, SMTP) is logged and never shown.
 * Mails carry the client label, addresses and times, never a token.
 */
@Injectable()
export class SecurityAlerts {
  private readonly logger = new Logger(SecurityAlerts.name);
  private readonly securityLog = new SecurityLog('SecurityAlerts');
  private readonly newDeviceAlerts: boolean;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly users: UsersService,
    private readonly mail: MailTransport,
    private readonly events: OtpAuthEvents,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.newDeviceAlerts = options.auth.newDeviceAlerts ?? false;
  }

  /** A rotated refresh token came back and its session was revoked. */
  reuseDetected(reused: ReusedSession): void {
    const at = new Date();
    this.later('Session-reuse alert', async () => {
      const session = await this.registry.findById(reused.sessionId);
      const label = session?.label ?? UNKNOWN_CLIENT;
      const ip = session?.ip ?? 'an unknown address';
      this.events.sessionReuseDetected({ ...reused, label, ip, at });
      const user = await this.users.findById(reused.userId);
      if (!user) return;
      await this.mail.send(
        user.email,
        sessionReuseMail({
          fullName: user.fullName,
          label,
          ip,
          startedAt: session ? mailTime(session.createdAt) : 'an unknown time',
          at: mailTime(at),
          presentedFrom: reused.presentedFromIp,
        }),
      );
    });
  }

  /**
   * A login opened `session`. With `newDeviceAlerts` on, and when the user has other sessions
   * (live or past) but none with this client label, the owner is told. A first session is
   * never reported: there is nothing to compare it with.
   */
  loggedIn(user: { id: string; email: string; fullName: string }, session: Session): void {
    if (!this.newDeviceAlerts) return;
    this.later('New-device alert', async () => {
      const labels = await this.registry.labelsOfOtherSessions(user.id, session.id);
      if (labels.length === 0 || labels.includes(session.label)) return;
      const { label, ip, createdAt: at } = session;
      this.securityLog.info('new_device_login', {
        user_id: user.id,
        session_id: session.id,
        label,
        ip,
      });
      this.events.newDeviceLogin({ userId: user.id, sessionId: session.id, label, ip, at });
      await this.mail.send(
        user.email,
        newDeviceLoginMail({ fullName: user.fullName, label, ip, at: mailTime(at) }),
      );
    });
  }

  private later(what: string, work: () => Promise<void>): void {
    setImmediate(() => {
      work().catch((error: Error) => this.logger.error(`${what} not sent: ${error.message}`));
    });
  }
}
