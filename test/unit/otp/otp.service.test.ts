import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OtpService } from '../../../src/otp/otp.service.js';
import { testOptions } from '../support/options.js';

function otpService(length = 6, jwtSecret?: string): OtpService {
  return new OtpService(testOptions({ otp: { length }, auth: jwtSecret ? { jwtSecret } : {} }));
}

describe('OtpService', () => {
  describe('generate', () => {
    for (const length of [4, 6, 8, 10]) {
      it(`draws codes of exactly ${length} digits`, () => {
        const otp = otpService(length);
        for (let i = 0; i < 200; i++) assert.match(otp.generate(), new RegExp(`^\\d{${length}}$`));
      });
    }

    it('keeps leading zeros and uses every digit in every position', () => {
      const otp = otpService(6);
      const codes = Array.from({ length: 2000 }, () => otp.generate());
      const wrong = codes.filter((code) => !/^\d{6}$/.test(code));
      assert.deepEqual(wrong, []);
      assert.ok(
        codes.some((code) => code.startsWith('0')),
        'no code starts with 0',
      );
      for (let position = 0; position < 6; position++) {
        const seen = new Set(codes.map((code) => code[position]));
        assert.equal(seen.size, 10, `position ${position} only has ${[...seen].sort().join('')}`);
      }
    });

    it('does not repeat itself', () => {
      const otp = otpService(10);
      const codes = new Set(Array.from({ length: 500 }, () => otp.generate()));
      assert.ok(codes.size > 495, `${codes.size} distinct codes in 500`);
    });
  });

  describe('hash and matches', () => {
    const otp = otpService();
    const email = 'ada@example.com';

    it('matches the code the hash was made from', () => {
      assert.equal(otp.matches(email, '042917', otp.hash(email, '042917')), true);
    });

    it('does not match another code', () => {
      const hash = otp.hash(email, '042917');
      for (const code of ['042918', '42917', '0042917', '', '042917 ']) {
        assert.equal(otp.matches(email, code, hash), false, JSON.stringify(code));
      }
    });

    it('binds the hash to the address', () => {
      const hash = otp.hash(email, '042917');
      assert.notEqual(otp.hash('eve@example.com', '042917'), hash);
      assert.equal(otp.matches('eve@example.com', '042917', hash), false);
    });

    it('never holds the code in clear', () => {
      assert.ok(!otp.hash(email, '042917').includes('042917'));
    });

    it('depends on the secret, so another deployment cannot check a hash', () => {
      const other = otpService(6, 'another-unit-test-secret-0123456789abcdefgh');
      assert.notEqual(other.hash(email, '042917'), otp.hash(email, '042917'));
      assert.equal(other.matches(email, '042917', otp.hash(email, '042917')), false);
    });

    it('answers false, without throwing, for a stored hash of another length', () => {
      const hash = otp.hash(email, '042917');
      for (const stored of ['', hash.slice(1), `${hash}x`, 'short']) {
        assert.equal(otp.matches(email, '042917', stored), false, JSON.stringify(stored));
      }
    });
  });
});
