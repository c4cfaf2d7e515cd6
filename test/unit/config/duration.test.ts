import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDurationSeconds } from '../../../src/config/duration.js';

describe('parseDurationSeconds', () => {
  const accepted: [string, number][] = [
    ['90s', 90],
    ['15m', 900],
    ['12h', 43_200],
    ['1d', 86_400],
    ['600', 600],
    ['0', 0],
    ['0s', 0],
  ];
  for (const [raw, seconds] of accepted) {
    it(`reads "${raw}" as ${seconds} seconds`, () => {
      assert.equal(parseDurationSeconds(raw), seconds);
    });
  }

  it('ignores surrounding whitespace', () => {
    assert.equal(parseDurationSeconds('  15m\t'), 900);
    assert.equal(parseDurationSeconds('\n600 '), 600);
  });

  const refused = [
    '5x',
    '-1',
    '-1m',
    '1.5m',
    '',
    '   ',
    'm',
    '15 m',
    '1d2h',
    '0x10',
    '1e3',
    'fifteen',
  ];
  for (const raw of refused) {
    it(`refuses ${JSON.stringify(raw)}`, () => {
      assert.equal(parseDurationSeconds(raw), undefined);
    });
  }

  it('refuses numbers too large to be a sane duration instead of overflowing', () => {
    assert.equal(parseDurationSeconds('9999999999'), undefined);
    assert.equal(parseDurationSeconds('99999999999999999999999d'), undefined);
    assert.equal(parseDurationSeconds(`${Number.MAX_SAFE_INTEGER}`), undefined);
  });

  it('accepts the largest count it allows, in every unit', () => {
    assert.equal(parseDurationSeconds('999999999'), 999_999_999);
    assert.equal(parseDurationSeconds('999999999d'), 999_999_999 * 86_400);
  });
});
