import { Module } from '@nestjs/common';
import { OtpAuthEvents } from './otp-auth-events.service.js';

/** The module's outgoing events and hooks. */
@Module({ providers: [OtpAuthEvents], exports: [OtpAuthEvents] })
export class EventsModule {}
