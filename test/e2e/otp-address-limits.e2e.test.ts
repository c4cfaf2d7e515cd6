import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { assertError } from '../support/http-assertions.js';
import {
  Messages,
  Paths,
  registerForCode,
  registrationBody,
  useAppWithSmtp,
  wrongCode,
} from '../support/registration.js';
import type { TestResponse } from '../support/test-app.js';

/** The `Retry-After` of a 429, checked to be whole seconds. */
function retryAfter(response: TestResponse): number {
  const header = response.headers.get('retry-after') ?? '';
  assert.match(header, /^[1-9]\d*$/, `Retry-After: "${header}"`);
  return Number(header);
}

/** A 429 with `message` and a `Retry-After` from `min` (excluded) to `max` seconds. */
function assertRefused(response: TestResponse, message: string, min: number, max: number): void {
  assertError(response, 429, message);
  const wait = retryAfter(response);
  assert.ok(wait > min && wait <= max, `Retry-After ${wait}, not in (${min}, ${max}]`);
}

describe('OTP limits per address, default settings', () => {
  const world = useAppWithSmtp({});

  it('using up the attempts leaves the resend cooldown running: registering again at once gets 429 with Retry-After, and no second code', async () => {
    const body = registrationBody();
    const code = await registerForCode(world.app, world.smtp, body);
    for (let guess = 1; guess <= 5; guess++) {
      await world.app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(code) });
    }

    const again = await world.app.post(Paths.register, body);

    assertRefused(again, Messages.resendCooldown, 50, 60);
    assert.equal(world.smtp.mailsTo(body.email).length, 1, 'a second code went out');
  });
});

describe('codes sent to one address (OTP_RESEND_COOLDOWN=0, OTP_MAX_ATTEMPTS=1, OTP_TTL=2s)', () => {
  const world = useAppWithSmtp({ OTP_RESEND_COOLDOWN: '0', OTP_MAX_ATTEMPTS: '1', OTP_TTL: '2s' });

  it('at most OTP_MAX_SENDS_PER_ADDRESS (5) an hour, across used-up attempts, expiry and registering again: then 429 with Retry-After until the oldest send leaves the window', async () => {
    const body = registrationBody();
    for (let send = 1; send <= 5; send++) {
      const code = await registerForCode(world.app, world.smtp, body);
      if (send === 3) {
        await sleep(2300); // this registration expires
      } else {
        const guess = await world.app.post(Paths.confirmOtp, {
          email: body.email,
          otp: wrongCode(code),
        });
        assertError(guess, 429, Messages.maxAttemptsExceeded);
      }
    }

    const sixth = await world.app.post(Paths.register, body);

    assertRefused(sixth, Messages.addressSendCap, 3500, 3600);
    assert.equal(world.smtp.mailsTo(body.email).length, 5, 'codes mailed to the address');
  });
});

describe('the reported attack on a 4-digit code (OTP_LENGTH=4, OTP_RESEND_COOLDOWN=0)', () => {
  const world = useAppWithSmtp({ OTP_LENGTH: '4', OTP_RESEND_COOLDOWN: '0' });

  it('cycling register and five guesses gets at most 10 guesses judged and 5 codes mailed in the hour', async () => {
    const email = registrationBody().email;
    let judged = 0;
    let refusal: TestResponse | undefined;
    // Someone who cannot read the mailbox: each round registers the address again and tries
    // five codes; the test leaves out the real one, which that person could not know.
    rounds: for (let round = 0; round < 40; round++) {
      const register = await world.app.post(Paths.register, registrationBody({ email }));
      if (register.status !== 200) {
        refusal = register;
        break;
      }
      const mail = await world.smtp.waitForMail(email, round + 1);
      const real = /\b(\d{4})\b/.exec(mail.text)![1];
      for (let guess = 0; guess < 5; guess++) {
        const code = String(round * 5 + guess).padStart(4, '0');
        const response = await world.app.post(Paths.confirmOtp, {
          email,
          otp: code === real ? wrongCode(real) : code,
        });
        assert.notEqual(response.status, 201, 'an account was created without the mailbox');
        if (response.body.message === Messages.addressFailureCap) {
          judged += 1; // the guess that used up the address's allowance was judged too
          refusal = response;
          break rounds;
        }
        if (response.body.message === Messages.invalidOtp) judged += 1;
        if (response.body.message === Messages.maxAttemptsExceeded) judged += 1;
      }
    }

    assert.ok(refusal, 'nothing stopped the attack');
    assertError(refusal, 429);
    assert.ok(retryAfter(refusal) > 3500);
    assert.ok(judged <= 10, `${judged} guesses judged`);
    assert.ok(
      world.smtp.mailsTo(email).length <= 5,
      `${world.smtp.mailsTo(email).length} codes mailed`,
    );
    const later = await world.app.post(Paths.register, registrationBody({ email }));
    assertError(later, 429);
  });
});

describe('wrong guesses for one address (OTP_RESEND_COOLDOWN=0, OTP_MAX_SENDS_PER_ADDRESS=100)', () => {
  const world = useAppWithSmtp({ OTP_RESEND_COOLDOWN: '0', OTP_MAX_SENDS_PER_ADDRESS: '100' });

  it('at most OTP_MAX_FAILURES_PER_ADDRESS (10) an hour across registrations: the 10th ends the registration with 429 and Retry-After, and registering again is refused without a mail', async () => {
    const body = registrationBody();
    const first = await registerForCode(world.app, world.smtp, body);
    for (let guess = 1; guess <= 5; guess++) {
      await world.app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(first) });
    }
    const second = await registerForCode(world.app, world.smtp, body);
    const remaining: unknown[] = [];
    for (let guess = 1; guess <= 4; guess++) {
      const wrong = await world.app.post(Paths.confirmOtp, {
        email: body.email,
        otp: wrongCode(second),
      });
      remaining.push(wrong.body.attempts_remaining);
    }

    const tenth = await world.app.post(Paths.confirmOtp, {
      email: body.email,
      otp: wrongCode(second),
    });

    assert.deepEqual(remaining, [4, 3, 2, 1]);
    // Retry-After: until the oldest wrong guess leaves the window.
    assertRefused(tenth, Messages.addressFailureCap, 3500, 3600);
    assertError(
      await world.app.post(Paths.confirmOtp, { email: body.email, otp: second }),
      400,
      Messages.otpExpiredOrInvalid,
    );
    const again = await world.app.post(Paths.register, body);
    assertRefused(again, Messages.addressFailureCap, 3500, 3600);
    assert.equal(
      world.smtp.mailsTo(body.email).length,
      2,
      'a code went out that no guess could use',
    );
  });
});

describe('a short window (OTP_ADDRESS_WINDOW=2s, OTP_MAX_SENDS_PER_ADDRESS=2, OTP_RESEND_COOLDOWN=0)', () => {
  const world = useAppWithSmtp({
    OTP_ADDRESS_WINDOW: '2s',
    OTP_MAX_SENDS_PER_ADDRESS: '2',
    OTP_RESEND_COOLDOWN: '0',
  });

  it('Retry-After tells when the oldest send leaves the window; then a code goes out again', async () => {
    const body = registrationBody();
    await registerForCode(world.app, world.smtp, body);
    await sleep(1000);
    await registerForCode(world.app, world.smtp, body);

    const refused = await world.app.post(Paths.resendOtp, { email: body.email });

    assertError(refused, 429, Messages.addressSendCap);
    const wait = retryAfter(refused);
    assert.equal(wait, 1, 'the first send leaves the window in about a second');
    await sleep(wait * 1000 + 100);
    const resent = await world.app.post(Paths.resendOtp, { email: body.email });
    assert.equal(resent.status, 200, resent.text);
    // A sliding window: the second send is still in it, so one slot only came free.
    assertError(await world.app.post(Paths.resendOtp, { email: body.email }), 429);
  });

  it('a send the SMTP server refused does not count: after three 503s, two codes still go out', async () => {
    const body = registrationBody();
    world.smtp.rejecting = true;
    for (let failure = 1; failure <= 3; failure++) {
      assertError(await world.app.post(Paths.register, body), 503, Messages.sendFailed);
    }
    world.smtp.rejecting = false;

    await registerForCode(world.app, world.smtp, body);
    const resent = await world.app.post(Paths.resendOtp, { email: body.email });
    const third = await world.app.post(Paths.resendOtp, { email: body.email });

    assert.equal(resent.status, 200, resent.text);
    assertError(third, 429, Messages.addressSendCap);
  });

  it('20 registrations of one address at once: exactly OTP_MAX_SENDS_PER_ADDRESS codes go out, the others get 429, none 5xx', async () => {
    const email = registrationBody().email;

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => world.app.post(Paths.register, registrationBody({ email }))),
    );

    const statuses = responses.map((response) => response.status);
    assert.equal(statuses.filter((status) => status === 200).length, 2, statuses.join(','));
    assert.equal(statuses.filter((status) => status === 429).length, 18, statuses.join(','));
    await world.smtp.waitForMail(email, 2);
    await sleep(200);
    assert.equal(world.smtp.mailsTo(email).length, 2);
  });
});
