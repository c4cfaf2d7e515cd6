import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module.js';
import { EmailValidationService } from './email-validation.service.js';
import { MailboxlayerClient } from './mailboxlayer.client.js';

/** Real-time e-mail address validation: offline checks and Mailboxlayer. */
@Module({
  imports: [HttpModule, StateModule],
  providers: [MailboxlayerClient, EmailValidationService],
  exports: [EmailValidationService],
})
export class EmailValidationModule {}
