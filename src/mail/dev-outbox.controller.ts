import { Controller, Get, Header, NotFoundException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import { Public } from '../auth/decorators/public.decorator.js';
import { DevOutbox, type OutboxMail } from './dev-outbox.service.js';
import { renderOutboxPage } from './dev-outbox.page.js';

/** `GET /dev/outbox` and `/dev/outbox.json`: 404 in production and whenever SMTP is configured. */
@ApiExcludeController()
@Public()
@Controller('dev')
export class DevOutboxController {
  private readonly enabled: boolean;

  constructor(
    private readonly outbox: DevOutbox,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.enabled = options.mail.outboxEnabled;
  }

  @Get('outbox.json')
  @Header('Cache-Control', 'no-store')
  listJson(): readonly OutboxMail[] {
    this.assertEnabled();
    return this.outbox.list();
  }

  @Get('outbox')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    this.assertEnabled();
    return renderOutboxPage(this.outbox.list());
  }

  private assertEnabled(): void {
    if (!this.enabled) throw new NotFoundException();
  }
}
