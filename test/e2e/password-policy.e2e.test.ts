import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMON_PASSWORDS } from '../../src/password/common-passwords.js';
import { assertError, assertNotIn, wholeResponse } from '../support/http-assertions.js';
import {
  Paths,
  freshEmail,
  registrationBody,
  type RegistrationBody,
} from '../support/registration.js';
import { TestApp } from '../support/test-app.js';

const Reasons = {
  tooShort: 'This password is too short. It must contain at least 8 characters.',
  tooLong: 'This password is too long. It must contain at most 128 characters.',
  common: 'This password is too common.',
  numeric: 'This password is entirely numeric.',
  similar: 'This password is too similar to your email or full name.',
} as const;

/** Letters only, no words, no name: passes every rule but the length ones. */
function randomLetters(length: number): string {
  const alphabet = 'bcdfghjkmnpqrstvwxz';
  return Array.from({ length }, (_, i) => alphabet[(i * 7 + 3) % alphabet.length]).join('');
}

const EMOJI = '\u{1F510}'; // one code point, two UTF-16 units

/** A password the policy refuses, with every reason it must give, in the policy's order. */
interface RefusedCase {
  name: string;
  body: () => RegistrationBody;
  reasons: string[];
}

const REFUSED: RefusedCase[] = [
  {
    name: 'too short (7 characters)',
    body: () => registrationBody({ password: 'kv7#qzp' }),
    reasons: [Reasons.tooShort],
  },
  {
    name: 'common ("password123")',
    body: () => registrationBody({ password: 'password123' }),
    reasons: [Reasons.common],
  },
  {
    name: 'common whatever the case ("PassWord123")',
    body: () => registrationBody({ password: 'PassWord123' }),
    reasons: [Reasons.common],
  },
  {
    name: 'entirely numeric',
    body: () => registrationBody({ password: '8302917465' }),
    reasons: [Reasons.numeric],
  },
  {
    name: 'containing the e-mail local part',
    body: () => {
      const email = freshEmail('quintessa');
      return registrationBody({ email, password: `my ${email.split('@')[0]} pw` });
    },
    reasons: [Reasons.similar],
  },
  {
    name: 'contained in the e-mail local part',
    body: () => {
      const email = freshEmail('zephyrine.wolstenholme');
      return registrationBody({ email, password: 'zephyrine.wolsten' });
    },
    reasons: [Reasons.similar],
  },
  {
    name: 'containing a word of the full name, case aside',
    body: () =>
      registrationBody({ full_name: 'Bartholomew Quist', password: 'BARTHOLOMEW rides again' }),
    reasons: [Reasons.similar],
  },
  {
    name: 'longer than 128 code points',
    body: () => registrationBody({ password: randomLetters(129) }),
    reasons: [Reasons.tooLong],
  },
  {
    name: '7 emoji: 14 UTF-16 units but 7 code points, too short',
    body: () => registrationBody({ password: EMOJI.repeat(7) }),
    reasons: [Reasons.tooShort],
  },
  {
    name: '129 emoji: too long in code points',
    body: () => registrationBody({ password: EMOJI.repeat(129) }),
    reasons: [Reasons.tooLong],
  },
  {
    name: 'breaking several rules at once ("1234567")',
    body: () => registrationBody({ password: '1234567' }),
    reasons: [Reasons.tooShort, Reasons.common, Reasons.numeric],
  },
];

const ACCEPTED: { name: string; password: string }[] = [
  { name: 'of 8 characters, the minimum', password: 'kv7#qzpw' },
  { name: 'of 64 characters', password: randomLetters(64) },
  { name: 'of 128 characters, the maximum', password: randomLetters(128) },
  { name: 'of 128 emoji: 256 UTF-16 units but 128 code points', password: EMOJI.repeat(128) },
  { name: 'of 8 emoji', password: EMOJI.repeat(8) },
  {
    name: 'with spaces around it, counted as received (7 letters + 2 spaces)',
    password: ' kvzqpwt ',
  },
  { name: 'that is a passphrase with spaces', password: 'correct horse battery staple' },
];

describe('the password policy, through register', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start({ OTP_RESEND_COOLDOWN: '0' });
  });
  after(async () => {
    await app.close();
  });

  it('"password123" is in the common-password list the policy uses (so the case below tests the rule)', () => {
    assert.ok(COMMON_PASSWORDS.has('password123'));
    assert.ok(COMMON_PASSWORDS.size >= 10_000, `only ${COMMON_PASSWORDS.size} common passwords`);
  });

  for (const refused of REFUSED) {
    it(`refuses a password ${refused.name}: 400 with the reasons as an array`, async () => {
      const body = refused.body();

      const response = await app.post(Paths.register, body);

      assertError(response, 400, refused.reasons);
      assertNotIn(wholeResponse(response), [body.password], 'the response');
    });
  }

  for (const accepted of ACCEPTED) {
    it(`accepts a password ${accepted.name}`, async () => {
      const response = await app.post(
        Paths.register,
        registrationBody({ password: accepted.password }),
      );

      assert.equal(response.status, 200, response.text);
    });
  }
});
