import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertError } from '../support/http-assertions.js';
import {
  Messages,
  Paths,
  REGISTRATION_ID,
  registerAttempt,
  registerForCode,
  registrationBody,
  useAppWithSmtp,
  wrongCode,
  type RegistrationAttempt,
  type RegistrationBody,
} from '../support/registration.js';
import { login, Paths as SessionPaths } from '../support/session-helpers.js';
import { otpFrom, type ReceivedMail } from '../support/smtp-sink.js';

const OWNER_PASSWORD = 'amber meadow crossing';
const OTHER_PASSWORD = 'cobalt river lantern';

/** The line of an OTP mail that names when its registration started. */
const STARTED =
  /This code completes the registration started on (\d{4}-\d{2}-\d{2}) at (\d{2}:\d{2}) UTC\. If that was not you, ignore this mail\./;

describe('several registrations of one address (OTP_RESEND_COOLDOWN=0)', () => {
  const world = useAppWithSmtp({ OTP_RESEND_COOLDOWN: '0' });

  /** The owner's registration and, for the same address, someone else's. */
  function bodies(): { owner: RegistrationBody; other: RegistrationBody } {
    const owner = registrationBody({ full_name: 'Olive Owner', password: OWNER_PASSWORD });
    return {
      owner,
      other: { email: owner.email, full_name: 'Mallory', password: OTHER_PASSWORD },
    };
  }

  /** The owner registers, then someone else registers the same address. */
  async function ownerThenOther(): Promise<{
    email: string;
    mine: RegistrationAttempt;
    theirs: RegistrationAttempt;
  }> {
    const { owner, other } = bodies();
    const mine = await registerAttempt(world.app, world.smtp, owner);
    const theirs = await registerAttempt(world.app, world.smtp, other);
    return { email: owner.email, mine, theirs };
  }

  /** The account logs in with `works` and not with `fails`. */
  async function assertPassword(email: string, works: string, fails: string): Promise<void> {
    await login(world.app, email, works);
    const refused = await world.app.post(SessionPaths.login, { email, password: fails });
    assertError(refused, 401);
  }

  /** Confirms `otp` bound to `registrationId`, which is not that registration's code. */
  async function assertNotItsCode(email: string, otp: string, registrationId: string) {
    const confirm = await world.app.post(Paths.confirmOtp, {
      email,
      otp,
      registration_id: registrationId,
    });
    assertError(confirm, 400, Messages.invalidOtp);
  }

  /** Waits for the next mail to `email` after the `count` it has had, and reads its code. */
  async function nextMail(email: string, count: number): Promise<ReceivedMail> {
    return world.smtp.waitForMail(email, count + 1);
  }

  it('the attack: someone else registers the address after its owner; the owner confirms the code of their own mail (no registration_id) and the account has the owner’s password', async () => {
    const { owner, other } = bodies();
    const ownerCode = await registerForCode(world.app, world.smtp, owner);
    await registerForCode(world.app, world.smtp, other);

    const confirm = await world.app.post(Paths.confirmOtp, { email: owner.email, otp: ownerCode });

    assert.equal(confirm.status, 201, confirm.text);
    assert.equal(confirm.body.user?.full_name, 'Olive Owner');
    await assertPassword(owner.email, OWNER_PASSWORD, OTHER_PASSWORD);
  });

  it('the same with registration_id: the owner’s code bound to the owner’s registration creates the owner’s account', async () => {
    const { email, mine, theirs } = await ownerThenOther();
    assert.notEqual(mine.registrationId, theirs.registrationId);

    const confirm = await world.app.post(Paths.confirmOtp, {
      email,
      otp: mine.code,
      registration_id: mine.registrationId,
    });

    assert.equal(confirm.status, 201, confirm.text);
    assert.equal(confirm.body.user?.full_name, 'Olive Owner');
    await assertPassword(email, OWNER_PASSWORD, OTHER_PASSWORD);
  });

  it('registration_id binds the code: the code of another registration answers "Invalid OTP." and counts as a wrong guess', async () => {
    const { email, mine, theirs } = await ownerThenOther();

    for (const [path, remaining] of [
      [Paths.confirmOtp, 4],
      [Paths.verifyOtp, 3],
    ] as const) {
      const crossed = await world.app.post(path, {
        email,
        otp: theirs.code,
        registration_id: mine.registrationId,
      });
      assertError(crossed, 400, Messages.invalidOtp);
      assert.equal(crossed.body.attempts_remaining, remaining);
    }
    const confirm = await world.app.post(Paths.verifyOtp, {
      email,
      otp: mine.code,
      registration_id: mine.registrationId,
    });
    assert.equal(confirm.status, 201, confirm.text);
    await assertPassword(email, OWNER_PASSWORD, OTHER_PASSWORD);
  });

  it('confirming one registration ends the others; each confirms with its own data', async () => {
    const { email, mine, theirs } = await ownerThenOther();

    // The newest is confirmed here: whoever reads that mail chose it, and gets its data.
    const confirm = await world.app.post(Paths.confirmOtp, { email, otp: theirs.code });

    assert.equal(confirm.status, 201, confirm.text);
    assert.equal(confirm.body.user?.full_name, 'Mallory');
    await assertPassword(email, OTHER_PASSWORD, OWNER_PASSWORD);
    assertError(
      await world.app.post(Paths.confirmOtp, { email, otp: mine.code }),
      400,
      Messages.otpExpiredOrInvalid,
    );
  });

  it('wrong guesses count for the address, whichever registration they aim at; the last allowed one ends every registration', async () => {
    const { email, mine, theirs } = await ownerThenOther();
    const guesses = [
      { otp: wrongCode(mine.code), registration_id: mine.registrationId },
      { otp: wrongCode(theirs.code), registration_id: theirs.registrationId },
      { otp: wrongCode(mine.code) },
      { otp: wrongCode(theirs.code), registration_id: theirs.registrationId },
    ];
    const remaining: unknown[] = [];
    for (const guess of guesses) {
      const response = await world.app.post(Paths.confirmOtp, { email, ...guess });
      remaining.push(response.body.attempts_remaining);
    }

    const last = await world.app.post(Paths.confirmOtp, {
      email,
      otp: wrongCode(theirs.code),
    });

    assert.deepEqual(remaining, [4, 3, 2, 1]);
    assertError(last, 429, Messages.maxAttemptsExceeded);
    for (const code of [mine.code, theirs.code]) {
      assertError(
        await world.app.post(Paths.confirmOtp, { email, otp: code }),
        400,
        Messages.otpExpiredOrInvalid,
      );
    }
  });

  it('the OTP mail names the UTC time its registration started', async () => {
    const before = new Date();
    const { mail } = await registerAttempt(world.app, world.smtp, registrationBody());
    const after = new Date();

    const [, day, time] = STARTED.exec(mail.text) ?? [];
    assert.ok(day, mail.text);
    const started = Date.parse(`${day}T${time}:00Z`);
    assert.ok(
      started >= Date.parse(before.toISOString().slice(0, 16) + ':00Z') &&
        started <= after.getTime(),
      `${day} ${time} is not the time of the request (${before.toISOString()})`,
    );
    assert.match(mail.html, new RegExp(`${day} at ${time} UTC`));
  });

  it('resend with registration_id: a new code for that registration only; its old code stops working, the other’s still works', async () => {
    const { email, mine, theirs } = await ownerThenOther();
    const mailsBefore = world.smtp.mailsTo(email).length;

    const resend = await world.app.post(Paths.resendOtp, {
      email,
      registration_id: mine.registrationId,
    });

    assert.deepEqual(resend.body, { message: Messages.otpSent, expires_in: 600 });
    const newCode = otpFrom(await nextMail(email, mailsBefore));
    await assertNotItsCode(email, mine.code, mine.registrationId);
    await assertNotItsCode(email, theirs.code, mine.registrationId);
    const confirm = await world.app.post(Paths.confirmOtp, { email, otp: newCode });
    assert.equal(confirm.status, 201, confirm.text);
    await assertPassword(email, OWNER_PASSWORD, OTHER_PASSWORD);
  });

  it('resend without registration_id: a new code for the newest registration; the older one’s code still works', async () => {
    const { email, mine, theirs } = await ownerThenOther();
    const mailsBefore = world.smtp.mailsTo(email).length;

    const resend = await world.app.post(Paths.resendOtp, { email });

    assert.equal(resend.status, 200, resend.text);
    const newCode = otpFrom(await nextMail(email, mailsBefore));
    await assertNotItsCode(email, newCode, mine.registrationId);
    await assertNotItsCode(email, theirs.code, theirs.registrationId);
    const confirm = await world.app.post(Paths.confirmOtp, { email, otp: mine.code });
    assert.equal(confirm.status, 201, confirm.text);
    await assertPassword(email, OWNER_PASSWORD, OTHER_PASSWORD);
  });

  it('an unknown registration_id answers 400 "OTP expired or invalid." and is not a guess; resend with it mails nothing', async () => {
    const body = registrationBody();
    const { code } = await registerAttempt(world.app, world.smtp, body);
    const unknown = '5b0c1a8e-3c55-4d5e-9a61-0f8a4b1d2c3e';
    const mailsBefore = world.smtp.mailsTo(body.email).length;

    const confirm = await world.app.post(Paths.confirmOtp, {
      email: body.email,
      otp: code,
      registration_id: unknown,
    });
    const resend = await world.app.post(Paths.resendOtp, {
      email: body.email,
      registration_id: unknown,
    });

    assertError(confirm, 400, Messages.otpExpiredOrInvalid);
    assertError(resend, 400, Messages.otpExpiredOrInvalid);
    assert.equal(world.smtp.mailsTo(body.email).length, mailsBefore);
    const wrong = await world.app.post(Paths.confirmOtp, {
      email: body.email,
      otp: wrongCode(code),
    });
    assert.equal(wrong.body.attempts_remaining, 4, 'the unknown registration_id was counted');
  });

  it('register answers message, expires_in and a registration_id of its own for each registration', async () => {
    const body = registrationBody();

    const first = await world.app.post(Paths.register, body);
    const second = await world.app.post(Paths.register, body);

    for (const response of [first, second]) {
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(Object.keys(response.body as object).sort(), [
        'expires_in',
        'message',
        'registration_id',
      ]);
      assert.equal(response.body.message, Messages.otpSent);
      assert.equal(response.body.expires_in, 600);
      assert.match(String(response.body.registration_id), REGISTRATION_ID);
    }
    assert.notEqual(first.body.registration_id, second.body.registration_id);
  });

  for (const path of [Paths.confirmOtp, Paths.verifyOtp, Paths.resendOtp]) {
    it(`${path} refuses a malformed registration_id with a 400 naming the field`, async () => {
      const body = { email: registrationBody().email, otp: '123456' };

      for (const [value, message] of [
        ['not-a-uuid', 'registration_id must be a UUID'],
        ['', 'registration_id must be a UUID'],
        ['5B0C1A8E-3C55-4D5E-9A61-0F8A4B1D2C3E-', 'registration_id must be a UUID'],
        [42, 'registration_id must be a string'],
        [null, 'registration_id must be a string'],
      ] as const) {
        const response = await world.app.post(path, { ...body, registration_id: value });
        assertError(response, 400, [message]);
      }
    });
  }
});
