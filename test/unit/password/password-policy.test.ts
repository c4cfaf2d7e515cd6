import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMON_PASSWORDS } from '../../../src/password/common-passwords.js';
import {
  PASSWORD_MAX_LENGTH,
  PasswordPolicy,
} from '../../../src/password/password-policy.service.js';
import { testOptions } from '../support/options.js';

const TOO_SHORT = (min: number) =>
  `This password is too short. It must contain at least ${min} characters.`;
const TOO_LONG = `This password is too long. It must contain at most ${PASSWORD_MAX_LENGTH} characters.`;
const TOO_COMMON = 'This password is too common.';
const NUMERIC = 'This password is entirely numeric.';
const SIMILAR = 'This password is too similar to your email or full name.';

/** A password that breaks no rule, for tests about one rule. */
const GOOD = 'violet lantern harbor';

function policy(minLength = 8): PasswordPolicy {
  return new PasswordPolicy(testOptions({ password: { minLength } }));
}

describe('PasswordPolicy', () => {
  it('accepts a passphrase that breaks no rule', () => {
    assert.deepEqual(
      policy().violations(GOOD, { email: 'ada@example.com', fullName: 'Ada Lovelace' }),
      [],
    );
  });

  describe('length', () => {
    it('refuses fewer characters than the configured minimum', () => {
      assert.deepEqual(policy().violations('wxqzpvk'), [TOO_SHORT(8)]);
      assert.deepEqual(policy().violations('wxqzpvkj'), []);
    });

    it('takes the minimum from the options', () => {
      assert.deepEqual(policy(15).violations('wxqzpvkjwxqzpv'), [TOO_SHORT(15)]);
      assert.deepEqual(policy(15).violations('wxqzpvkjwxqzpvk'), []);
    });

    it('counts code points, so an emoji is one character', () => {
      const emoji = '🔑';
      assert.equal(emoji.length, 2, 'an astral character is two UTF-16 units');
      assert.deepEqual(policy().violations(emoji.repeat(7)), [TOO_SHORT(8)]);
      assert.deepEqual(policy().violations(emoji.repeat(8)), []);
      assert.deepEqual(policy().violations(emoji.repeat(PASSWORD_MAX_LENGTH)), []);
    });

    it('counts leading and trailing spaces, judging the password exactly as received', () => {
      assert.deepEqual(policy().violations('wxqzpvk'), [TOO_SHORT(8)]);
      assert.deepEqual(policy().violations(' wxqzpvk'), []);
      assert.deepEqual(policy().violations('wxqzpvk '), []);
      assert.deepEqual(policy().violations('        '), []);
    });

    it('refuses more than 128 characters', () => {
      const base = 'wxqzpvkj'.repeat(16);
      assert.equal([...base].length, 128);
      assert.deepEqual(policy().violations(base), []);
      assert.deepEqual(policy().violations(`${base}a`), [TOO_LONG]);
      assert.deepEqual(policy().violations('🔑'.repeat(129)), [TOO_LONG]);
    });
  });

  describe('common passwords', () => {
    it('come from a list of at least 10,000', () => {
      assert.ok(COMMON_PASSWORDS.size >= 10_000, `only ${COMMON_PASSWORDS.size}`);
    });

    for (const password of [
      'password',
      'iloveyou',
      'sunshine',
      'football',
      'trustno1',
      'baseball',
    ]) {
      it(`refuses "${password}"`, () => {
        assert.deepEqual(policy().violations(password), [TOO_COMMON]);
      });
    }

    it('refuses a listed password whatever its case', () => {
      assert.deepEqual(policy().violations('PassWord'), [TOO_COMMON]);
      assert.deepEqual(policy().violations('SUNSHINE'), [TOO_COMMON]);
    });
  });

  describe('numeric passwords', () => {
    it('refuses a password made of digits only', () => {
      assert.deepEqual(policy().violations('73920561485'), [NUMERIC]);
    });

    it('accepts digits mixed with anything else', () => {
      assert.deepEqual(policy().violations('73920561485x'), []);
      assert.deepEqual(policy().violations('7392 0561 485'), []);
    });
  });

  describe('similarity to the account', () => {
    const ada = { email: 'ada.lovelace@example.com', fullName: 'Augusta Byron' };

    it('refuses a password that contains the e-mail local part', () => {
      assert.deepEqual(policy().violations('my-ada.lovelace-2024', ada), [SIMILAR]);
    });

    it('refuses a password contained in the e-mail local part', () => {
      const context = { email: 'quiltedharborlantern7@example.com' };
      assert.deepEqual(policy().violations('harborlantern', context), [SIMILAR]);
    });

    it('refuses a password that contains the full name or one of its words', () => {
      assert.deepEqual(policy().violations('augusta byron rules', ada), [SIMILAR]);
      assert.deepEqual(policy().violations('lantern-byron-harbor', ada), [SIMILAR]);
    });

    it('refuses a password contained in the full name', () => {
      const context = { fullName: 'Maximiliana Quillborough-Fenwick' };
      assert.deepEqual(policy().violations('quillborough-fen', context), [SIMILAR]);
    });

    it('compares without regard to case', () => {
      assert.deepEqual(policy().violations('HARBOR AUGUSTA ZEBRA', ada), [SIMILAR]);
      assert.deepEqual(
        policy().violations('harbor-lantern', { email: 'Harbor-Lantern-Fan@Example.com' }),
        [SIMILAR],
      );
    });

    it('ignores fragments shorter than 4 characters', () => {
      assert.deepEqual(
        policy().violations('bobsled harbor lantern', {
          email: 'bob@example.com',
          fullName: 'Bo Li',
        }),
        [],
      );
      assert.deepEqual(policy().violations('calibrated lantern', { fullName: 'Al Li' }), []);
    });

    it('accepts a password unrelated to the account', () => {
      assert.deepEqual(policy().violations(GOOD, ada), []);
    });

    it('does not judge similarity without an account', () => {
      assert.deepEqual(policy().violations('ada.lovelace'), []);
    });
  });

  it('reports every rule a password breaks at once', () => {
    const violations = policy().violations('1234567', { email: '1234567@example.com' });
    assert.deepEqual([...violations].sort(), [TOO_SHORT(8), TOO_COMMON, NUMERIC, SIMILAR].sort());
  });
});
