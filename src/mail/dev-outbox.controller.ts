import { Controller, Get, Header, NotFoundException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import { Public } from '../auth/decorators/public.decorator.js';
import { DevOutbox, type OutboxMail } from './dev-outbox.service.js';
import { OUTBOX_SCRIPT, renderOutboxPage } from './dev-outbox.page.js';

/**
 * `GET /dev/outbox` (an HTML page), its script, and `/dev/outbox.json`: 404 in production and
 * whenever SMTP is configured. Left out of the OpenAPI document, so that a host application's
 * docs never list it; the standalone service adds it when the outbox is on (`docs/swagger.ts`).
 */
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
  listJson(): OutboxMail[] {
    this.assertEnabled();
    return this.outbox.list();
  }

  @Get('outbox')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    this.assertEnabled();
    return renderOutboxPage(this.outbox.listEntries());
  }

  @Get('outbox.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    this.assertEnabled();
    return OUTBOX_SCRIPT;
  }

  private assertEnabled(): void {
    if (!this.enabled) throw new NotFoundException();
  }
}
