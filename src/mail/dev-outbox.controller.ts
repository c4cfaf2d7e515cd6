import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/decorators/public.decorator.js';
import { DevOutboxGuard } from './dev-outbox.guard.js';
import { DevOutbox, type OutboxMail } from './dev-outbox.service.js';
import { OUTBOX_SCRIPT, renderOutboxPage } from './dev-outbox.page.js';

/**
 * `GET /dev/outbox` (an HTML page), its script, and `/dev/outbox.json`: 404 in production,
 * whenever SMTP is configured, and to any client not on this machine (`DevOutboxGuard`). Left out of the OpenAPI document, so that a host application's
 * docs never list it; the standalone service adds it when the outbox is on (`docs/swagger.ts`).
 */
@ApiExcludeController()
@Public()
@UseGuards(DevOutboxGuard)
@Controller('dev')
export class DevOutboxController {
  constructor(private readonly outbox: DevOutbox) {}

  @Get('outbox.json')
  @Header('Cache-Control', 'no-store')
  listJson(): OutboxMail[] {
    return this.outbox.list();
  }

  @Get('outbox')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    return renderOutboxPage(this.outbox.listEntries());
  }

  @Get('outbox.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return OUTBOX_SCRIPT;
  }
}
