import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PasswordHasher } from '../../../src/password/password-hasher.service.js';
import { testOptions } from '../support/options.js';

/**
 * The parts of a PHC string such as `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. The
 * parameters are read by name: the PHC format does not fix their order, and node-argon2 writes
 * them as `m=…,p=…,t=…`.
 */
function parsePhc(encoded: string) {
  const match =
    /^\$(argon2(?:id|i|d))\$v=(\d+)\$([a-z]=\d+(?:,[a-z]=\d+)*)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(
      encoded,
    );
  assert.ok(match, `not a PHC argon2 string: ${encoded}`);
  const params: Record<string, string> = Object.fromEntries(
    match[3].split(',').map((pair) => pair.split('=') as [string, string]),
  );
  assert.deepEqual(
    Object.keys(params).sort(),
    ['m', 'p', 't'],
    `unexpected parameters in ${encoded}`,
  );
  return {
    type: match[1],
    version: Number(match[2]),
    memoryCostKiB: Number(params.m),
    timeCost: Number(params.t),
    parallelism: Number(params.p),
    salt: match[4],
  };
}

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(testOptions());
  const password = 'violet lantern harbor';

  it('hashes with argon2id at the OWASP parameters by default', async () => {
    const phc = parsePhc(await hasher.hash(password));
    assert.equal(phc.type, 'argon2id');
    assert.equal(phc.version, 19);
    assert.deepEqual(
      { m: phc.memoryCostKiB, t: phc.timeCost, p: phc.parallelism },
      { m: 19456, t: 2, p: 1 },
    );
  });

  it('hashes with the configured parameters', async () => {
    const stronger = new PasswordHasher(
      testOptions({
        password: { minLength: 8, argon2: { memoryCostKiB: 20480, timeCost: 3, parallelism: 2 } },
      }),
    );
    const phc = parsePhc(await stronger.hash(password));
    assert.deepEqual(
      { type: phc.type, m: phc.memoryCostKiB, t: phc.timeCost, p: phc.parallelism },
      { type: 'argon2id', m: 20480, t: 3, p: 2 },
    );
  });

  it('salts every hash, and the hash never holds the password', async () => {
    const [first, second] = await Promise.all([hasher.hash(password), hasher.hash(password)]);
    assert.notEqual(first, second);
    assert.notEqual(parsePhc(first).salt, parsePhc(second).salt);
    assert.ok(!first.includes(password));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hasher.hash(password);
    assert.equal(await hasher.verify(hash, password), true);
    assert.equal(await hasher.verify(hash, 'violet lantern harbour'), false);
    assert.equal(await hasher.verify(hash, ` ${password}`), false);
  });

  it('answers false, without throwing, for a malformed hash', async () => {
    for (const malformed of [
      '',
      'not-a-hash',
      '$argon2id$v=19$m=19456,t=2,p=1$',
      '$2b$10$abcdefghijklmnopqrstuv',
    ]) {
      assert.equal(await hasher.verify(malformed, password), false, JSON.stringify(malformed));
    }
  });

  it('runs a dummy verification that resolves', async () => {
    await assert.doesNotReject(hasher.verifyDummy(password));
  });
});
