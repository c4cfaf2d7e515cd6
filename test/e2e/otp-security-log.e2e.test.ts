import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { captureConsole } from '../support/console-capture.js';
import { assertError } from '../support/http-assertions.js';
import {
  Messages,
  Paths,
  registerForCode,
  registrationBody,
  useAppWithSmtp,
  wrongCode,
} from '../support/registration.js';
import { loggedEvents } from '../support/session-helpers.js';
import { otpFrom } from '../support/smtp-sink.js';

/** A little more than the cooldown of this file's app. */
const AFTER_COOLDOWN_MS = 1100;

describe('security log lines of the OTP flow (OTP_RESEND_COOLDOWN=1s, OTP_MAX_ATTEMPTS=2, OTP_MAX_FAILURES_PER_ADDRESS=3, OTP_MAX_SENDS_PER_ADDRESS=3)', () => {
  const world = useAppWithSmtp({
    OTP_RESEND_COOLDOWN: '1s',
    OTP_MAX_ATTEMPTS: '2',
    OTP_MAX_FAILURES_PER_ADDRESS: '3',
    OTP_MAX_SENDS_PER_ADDRESS: '3',
  });

  /**
   * Runs `flow` and returns the security events it logged for `emails` (event, reason,
   * attempts_remaining, retry_after, the address by its index in `emails`), after checking that
   * no code mailed to them reached the logs, the app's nor the console.
   */
  async function eventsOf(emails: string[], flow: () => Promise<void>) {
    const { output } = await captureConsole(flow);
    const codes = emails.flatMap((email) => world.smtp.mailsTo(email).map((mail) => otpFrom(mail)));
    assert.ok(codes.length > 0, 'no code was mailed');
    const logs = `${world.app.logger.text()}\n${output}`;
    for (const code of codes) {
      assert.doesNotMatch(logs, new RegExp(`(?<!\\d)${code}(?!\\d)`), 'a code reached the logs');
    }
    return loggedEvents(world.app)
      .filter((entry) => emails.includes(entry.email as string))
      .map(({ event, email, reason, attempts_remaining, retry_after }) => ({
        event,
        who: emails.indexOf(email as string),
        ...(reason !== undefined && { reason }),
        ...(attempts_remaining !== undefined && { attempts_remaining }),
        ...(retry_after !== undefined && {
          retry_after: Number(retry_after) > 3500 ? 'about an hour' : Number(retry_after),
        }),
      }));
  }

  it('a wrong guess, the guess that uses up the attempts and a send in the cooldown write one line each with the address, never the code', async () => {
    const body = registrationBody();

    const events = await eventsOf([body.email], async () => {
      const code = await registerForCode(world.app, world.smtp, body);
      assertError(await world.app.post(Paths.resendOtp, { email: body.email }), 429);
      await world.app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(code) });
      assertError(
        await world.app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(code) }),
        429,
        Messages.maxAttemptsExceeded,
      );
    });

    assert.deepEqual(events, [
      { event: 'otp_send_refused', who: 0, reason: 'cooldown', retry_after: 1 },
      { event: 'otp_guess_failed', who: 0, attempts_remaining: 1 },
      { event: 'otp_attempts_exhausted', who: 0, reason: 'max_attempts' },
    ]);
  });

  it('the caps per address, when they stop a guess or a send, write one line each with the address and Retry-After, never the code', async () => {
    const guessing = registrationBody();
    const sending = registrationBody();

    const events = await eventsOf([guessing.email, sending.email], async () => {
      // Wrong guesses over two registrations until the address has none left.
      const first = await registerForCode(world.app, world.smtp, guessing);
      for (let guess = 1; guess <= 2; guess++) {
        await world.app.post(Paths.confirmOtp, { email: guessing.email, otp: wrongCode(first) });
      }
      await sleep(AFTER_COOLDOWN_MS);
      const second = await registerForCode(world.app, world.smtp, guessing);
      assertError(
        await world.app.post(Paths.confirmOtp, { email: guessing.email, otp: wrongCode(second) }),
        429,
        Messages.addressFailureCap,
      );
      await sleep(AFTER_COOLDOWN_MS);
      assertError(await world.app.post(Paths.register, guessing), 429, Messages.addressFailureCap);

      // Sends until the address has none left.
      await registerForCode(world.app, world.smtp, sending);
      for (let resend = 1; resend <= 2; resend++) {
        await sleep(AFTER_COOLDOWN_MS);
        assert.equal((await world.app.post(Paths.resendOtp, { email: sending.email })).status, 200);
      }
      await sleep(AFTER_COOLDOWN_MS);
      assertError(
        await world.app.post(Paths.resendOtp, { email: sending.email }),
        429,
        Messages.addressSendCap,
      );
    });

    assert.deepEqual(events, [
      { event: 'otp_guess_failed', who: 0, attempts_remaining: 1 },
      { event: 'otp_attempts_exhausted', who: 0, reason: 'max_attempts' },
      {
        event: 'otp_attempts_exhausted',
        who: 0,
        reason: 'address_failure_cap',
        retry_after: 'about an hour',
      },
      {
        event: 'otp_send_refused',
        who: 0,
        reason: 'address_failure_cap',
        retry_after: 'about an hour',
      },
      {
        event: 'otp_send_refused',
        who: 1,
        reason: 'address_send_cap',
        retry_after: 'about an hour',
      },
    ]);
  });
});
