import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { derToJose, joseToDer } from '../../../src/auth/tokens/ecdsa-signature.js';

describe('ECDSA signature encodings', () => {
  it('DER → r‖s is what node verifies as IEEE P1363, and back gives the same DER', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    // Enough signatures that some r or s have a top bit set (DER adds a zero byte) and some are
    // shorter than 32 bytes (DER drops leading zeros; about 1 in 128 each).
    const lengths = new Set<number>();
    for (let i = 0; i < 1000; i += 1) {
      const data = Buffer.from(`message ${i}`);
      const der = createSign('sha256').update(data).sign(privateKey);
      lengths.add(der.length);
      const jose = derToJose(der);
      assert.equal(jose.length, 64);
      assert.ok(
        verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose),
        `#${i}`,
      );
      assert.deepEqual(joseToDer(jose), der, `#${i}`);
    }
    assert.ok(lengths.size >= 3, `only DER lengths ${[...lengths].join(', ')} were seen`);
  });
});
