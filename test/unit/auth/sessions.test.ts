import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDueForLastUsed } from '../../../src/auth/sessions/last-used-writer.js';
import { decodeCursor, encodeCursor } from '../../../src/auth/sessions/session-cursor.js';
import { userAgentLabel } from '../../../src/auth/sessions/user-agent-label.js';

describe('userAgentLabel', () => {
  const cases: [string | undefined, string][] = [
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Linux'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      'Safari on iPhone',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome on Windows',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      'Edge on Windows',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      'Safari on macOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'Chrome on Android',
    ],
    ['curl/8.5.0', 'curl'],
    ['python-requests/2.32.3', 'Python'],
    ['', 'Unknown client'],
    [undefined, 'Unknown client'],
    ['<script>alert(1)</script>', 'Unknown client'],
  ];
  for (const [userAgent, label] of cases) {
    it(`${JSON.stringify(userAgent?.slice(0, 40))} → ${label}`, () => {
      assert.equal(userAgentLabel(userAgent), label);
    });
  }
});

describe('isDueForLastUsed: at most one write a minute per session, decided from iat', () => {
  it('is due only when the token was issued in an earlier minute', () => {
    assert.equal(isDueForLastUsed(120, 179), false);
    assert.equal(isDueForLastUsed(179, 180), true);
    assert.equal(isDueForLastUsed(100, 1000), true);
  });

  it('a chain refreshing every 7 s writes once per minute crossed, and never lags a minute', () => {
    const start = 1_000;
    let iat = start;
    let stored = iat;
    let writes = 0;
    for (let now = start + 7; now < start + 3_600; now += 7) {
      if (isDueForLastUsed(iat, now)) {
        stored = now;
        writes++;
      }
      assert.ok(now - stored < 60, `stored last use ${now - stored} s behind`);
      iat = now;
    }
    assert.ok(writes <= 61, `${writes} writes in an hour`);
  });
});

describe('session cursors', () => {
  it('round-trip, and anything else is refused', () => {
    const cursor = {
      createdAt: new Date(1_765_000_000_123),
      id: '3f0b8c52-6a1e-4c1b-9d0e-2b7f5a9c4e31',
    };
    assert.deepEqual(decodeCursor(encodeCursor(cursor)), cursor);
    for (const bad of [
      '',
      'x',
      '!!',
      Buffer.from('1.abc').toString('base64url'),
      'A'.repeat(500),
    ]) {
      assert.equal(decodeCursor(bad), null, bad);
    }
  });
});
