import { Module } from '@nestjs/common';
import { DevOutboxController } from './dev-outbox.controller.js';
import { DevOutbox } from './dev-outbox.service.js';
import { MailTransport } from './mail-transport.service.js';

/**
 * E-mail delivery through @nestjs-modules/mailer's `MailerService` (the module's own, or the
 * host's), and the development outbox.
 */
@Module({
  controllers: [DevOutboxController],
  providers: [DevOutbox, MailTransport],
  exports: [MailTransport],
})
export class MailModule {}
