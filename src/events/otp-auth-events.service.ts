import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import {
  OtpAuthEventName,
  type EmailChangedEvent,
  type LoggedInEvent,
  type NewDeviceLoginEvent,
  type OtpAuthHooks,
  type PasswordResetEvent,
  type SessionReuseDetectedEvent,
  type SessionRevokedEvent,
  type UserRegisteredEvent,
} from './otp-auth-events.js';

/** The part of EventEmitter2 used here. */
interface EventBus {
  emit(event: string, payload: unknown): boolean;
}

/**
 * Tells the host what happened: through the option hooks, and on @nestjs/event-emitter's bus
 * when the host has registered `EventEmitterModule` (an optional peer dependency, looked up at
 * startup rather than imported, so hosts without it need not install it).
 */
@Injectable()
export class OtpAuthEvents implements OnModuleInit {
  private readonly logger = new Logger(OtpAuthEvents.name);
  private readonly hooks: OtpAuthHooks;
  private bus?: EventBus;

  constructor(
    private readonly moduleRef: ModuleRef,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.hooks = options.hooks ?? {};
  }

  async onModuleInit(): Promise<void> {
    try {
      const { EventEmitter2 } = await import('@nestjs/event-emitter');
      this.bus = this.moduleRef.get<EventBus>(EventEmitter2, { strict: false });
    } catch {
      this.bus = undefined;
    }
  }

  userRegistered(event: UserRegisteredEvent): void {
    this.publish(OtpAuthEventName.userRegistered, event, this.hooks.onUserRegistered);
  }

  loggedIn(event: LoggedInEvent): void {
    this.publish(OtpAuthEventName.loggedIn, event, this.hooks.onLoggedIn);
  }

  passwordReset(event: PasswordResetEvent): void {
    this.publish(OtpAuthEventName.passwordReset, event, this.hooks.onPasswordReset);
  }

  sessionRevoked(event: SessionRevokedEvent): void {
    this.publish(OtpAuthEventName.sessionRevoked, event, this.hooks.onSessionRevoked);
  }

  sessionReuseDetected(event: SessionReuseDetectedEvent): void {
    this.publish(OtpAuthEventName.sessionReuseDetected, event, this.hooks.onSessionReuseDetected);
  }

  newDeviceLogin(event: NewDeviceLoginEvent): void {
    this.publish(OtpAuthEventName.newDeviceLogin, event, this.hooks.onNewDeviceLogin);
  }

  emailChanged(event: EmailChangedEvent): void {
    this.publish(OtpAuthEventName.emailChanged, event, this.hooks.onEmailChanged);
  }

  private publish<T>(name: string, event: T, hook?: (event: T) => void | Promise<void>): void {
    try {
      this.bus?.emit(name, event);
    } catch (error) {
      this.logger.error(`Listener of ${name} failed: ${(error as Error).message}`);
    }
    if (!hook) return;
    Promise.resolve()
      .then(() => hook(event))
      .catch((error: Error) => this.logger.error(`Hook for ${name} failed: ${error.message}`));
  }
}
