import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  OtpAuthEventName,
  OtpAuthModule,
  type EmailChangedEvent,
  type NewDeviceLoginEvent,
  type SessionReuseDetectedEvent,
} from '../../src/index.js';
import {
  freshEmail,
  login,
  Paths,
  payloadOf,
  refresh,
  registerAndConfirm,
  rotate,
  UserAgents,
} from '../support/session-helpers.js';
import { otpFrom, SmtpSink } from '../support/smtp-sink.js';
import { hostModuleOptions } from '../support/module-host.js';
import { ApiClient } from '../support/test-app.js';

/** What a host saw of one kind of event: through its option hook, and on the event bus. */
interface Seen<T> {
  hook: T[];
  bus: T[];
}

/**
 * The security alerts as a host app sees them (and `otp-auth.email.changed` / `onEmailChanged`): `otp-auth.session.reuse-detected` and
 * `otp-auth.login.new-device` on @nestjs/event-emitter's bus, and the `onSessionReuseDetected`
 * and `onNewDeviceLogin` option hooks, with the session's label and addresses.
 */
describe('security alert events and hooks in a host app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-auth-alert-events-'));
  const reuses: Seen<SessionReuseDetectedEvent> = { hook: [], bus: [] };
  const newDevices: Seen<NewDeviceLoginEvent> = { hook: [], bus: [] };
  const emailChanges: Seen<EmailChangedEvent> = { hook: [], bus: [] };
  const api = new ApiClient();
  let smtp: SmtpSink;
  let app: INestApplication;

  before(async () => {
    smtp = await new SmtpSink().start();
    @Module({
      imports: [
        EventEmitterModule.forRoot(),
        OtpAuthModule.forRoot({
          ...hostModuleOptions(smtp, dir, { AUTH_NEW_DEVICE_ALERTS: 'true' }),
          hooks: {
            onSessionReuseDetected: (event) => void reuses.hook.push(event),
            onNewDeviceLogin: (event) => void newDevices.hook.push(event),
            onEmailChanged: (event) => void emailChanges.hook.push(event),
          },
        }),
      ],
    })
    class HostModule {}

    app = await NestFactory.create(
      HostModule,
      new FastifyAdapter({ routerOptions: { ignoreTrailingSlash: true } }),
      { logger: false },
    );
    const bus = app.get(EventEmitter2);
    bus.on(OtpAuthEventName.sessionReuseDetected, (event: SessionReuseDetectedEvent) =>
      reuses.bus.push(event),
    );
    bus.on(OtpAuthEventName.newDeviceLogin, (event: NewDeviceLoginEvent) =>
      newDevices.bus.push(event),
    );
    bus.on(OtpAuthEventName.emailChanged, (event: EmailChangedEvent) =>
      emailChanges.bus.push(event),
    );
    await app.listen(0, '127.0.0.1');
    api.baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  after(async () => {
    await app?.close();
    await smtp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until `seen` has one event on the hook and one on the bus. */
  async function both<T>(seen: Seen<T>): Promise<T[]> {
    const deadline = Date.now() + 5000;
    while (seen.hook.length + seen.bus.length < 2) {
      if (Date.now() > deadline) throw new Error(`events: ${JSON.stringify(seen)}`);
      await sleep(50);
    }
    return [...seen.hook, ...seen.bus];
  }

  it('names the event names', () => {
    assert.equal(OtpAuthEventName.sessionReuseDetected, 'otp-auth.session.reuse-detected');
    assert.equal(OtpAuthEventName.newDeviceLogin, 'otp-auth.login.new-device');
    assert.equal(OtpAuthEventName.emailChanged, 'otp-auth.email.changed');
  });

  it('tells a new-device login and a refresh-token reuse, once each, with the session', async () => {
    const { email, password, user } = await registerAndConfirm(api, smtp);
    await login(api.withHeaders({ 'user-agent': UserAgents.firefoxLinux }), email, password);
    const chrome = await login(
      api.withHeaders({ 'user-agent': UserAgents.chromeWindows }),
      email,
      password,
    );
    const sessionId = payloadOf(chrome.refresh).fam;

    for (const event of await both(newDevices)) {
      assert.equal(event.userId, user.id);
      assert.equal(event.sessionId, sessionId);
      assert.equal(event.label, 'Chrome on Windows');
      assert.equal(event.ip, '127.0.0.1');
      assert.ok(event.at instanceof Date);
    }

    await rotate(api, chrome.refresh);
    assert.equal((await refresh(api, chrome.refresh)).status, 401);
    for (const event of await both(reuses)) {
      assert.equal(event.userId, user.id);
      assert.equal(event.sessionId, sessionId);
      assert.equal(event.label, 'Chrome on Windows');
      assert.equal(event.ip, '127.0.0.1');
      assert.equal(event.presentedFromIp, '127.0.0.1');
      assert.ok(event.at instanceof Date);
    }

    await sleep(500);
    assert.equal(newDevices.hook.length + newDevices.bus.length, 2, 'the first login is no event');
    assert.equal(reuses.hook.length + reuses.bus.length, 2);
  });

  it('tells an e-mail change, once, with both addresses and where the confirmation came from', async () => {
    const { email, password, user } = await registerAndConfirm(api, smtp);
    const { access } = await login(api, email, password);
    const newEmail = freshEmail('moved');
    const requested = await api.post(
      Paths.emailChange,
      { new_email: newEmail, password },
      { token: access },
    );
    assert.equal(requested.status, 200, requested.text);
    const otp = otpFrom(await smtp.waitForMail(newEmail));
    const confirmed = await api.post(
      Paths.emailChangeConfirm,
      { otp },
      { token: access, headers: { 'user-agent': UserAgents.chromeWindows } },
    );
    assert.equal(confirmed.status, 200, confirmed.text);

    for (const event of await both(emailChanges)) {
      assert.equal(event.userId, user.id);
      assert.equal(event.previousEmail, email);
      assert.equal(event.email, newEmail);
      assert.equal(event.label, 'Chrome on Windows');
      assert.equal(event.ip, '127.0.0.1');
      assert.ok(event.at instanceof Date);
    }
    await sleep(300);
    assert.equal(emailChanges.hook.length + emailChanges.bus.length, 2);
  });
});
