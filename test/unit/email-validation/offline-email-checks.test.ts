import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDisposableDomain } from '../../../src/email-validation/disposable-domains.js';
import { passesOfflineChecks } from '../../../src/email-validation/offline-email-checks.js';

/** An address of exactly `length` characters, with a 64-character local part. */
function addressOfLength(length: number): string {
  const local = 'a'.repeat(64);
  let remaining = length - local.length - 1 - '.com'.length;
  const labels: string[] = [];
  while (remaining > 0) {
    const label = Math.min(60, remaining);
    labels.push('b'.repeat(label));
    remaining -= label + 1;
  }
  const address = `${local}@${labels.join('.')}.com`;
  assert.equal(address.length, length, 'test helper built the wrong length');
  return address;
}

describe('passesOfflineChecks', () => {
  for (const email of [
    'ada@example.com',
    'first.last+tag@sub.example.co.uk',
    'o_brien-2@example.org',
    `${'a'.repeat(64)}@example.com`,
  ]) {
    it(`accepts ${email}`, () => assert.equal(passesOfflineChecks(email), true));
  }

  const refused: [string, string][] = [
    ['a missing @', 'ada.example.com'],
    ['an empty local part', '@example.com'],
    ['an empty domain', 'ada@'],
    ['a domain without a TLD', 'ada@localhost'],
    ['an IP address domain', 'ada@127.0.0.1'],
    ['a bracketed IP address domain', 'ada@[127.0.0.1]'],
    ['a local part over 64 characters', `${'a'.repeat(65)}@example.com`],
    ['spaces', 'ada lovelace@example.com'],
    ['two @', 'ada@home@example.com'],
    ['a disposable domain', 'ada@mailinator.com'],
    ['a subdomain of a disposable domain', 'ada@eu.mailinator.com'],
    ['a quoted local part', '"ada"@example.com'],
    ['a quoted local part with a space', '"ada lovelace"@example.com'],
    ['a quoted local part with a line break', '"ada\r\nBcc: eve@example.net"@example.com'],
    ['a quoted local part with an address in it', '"eve@example.net,"@example.com'],
    ['another disposable domain', 'ada@yopmail.com'],
  ];
  for (const [what, email] of refused) {
    it(`refuses ${what}`, () => assert.equal(passesOfflineChecks(email), false));
  }

  it('accepts 254 characters and refuses 255', () => {
    assert.equal(passesOfflineChecks(addressOfLength(254)), true);
    assert.equal(passesOfflineChecks(addressOfLength(255)), false);
  });
});

describe('isDisposableDomain', () => {
  it('knows listed domains, whatever their case', () => {
    assert.equal(isDisposableDomain('mailinator.com'), true);
    assert.equal(isDisposableDomain('MailInator.COM'), true);
    assert.equal(isDisposableDomain('guerrillamail.com'), true);
  });

  it('knows subdomains of listed domains, at any depth', () => {
    assert.equal(isDisposableDomain('eu.mailinator.com'), true);
    assert.equal(isDisposableDomain('a.b.c.mailinator.com'), true);
  });

  it('does not flag a domain that only ends with the same letters', () => {
    assert.equal(isDisposableDomain('qzxwvmailinator.com'), false);
  });

  it('does not flag ordinary domains or a bare TLD', () => {
    for (const domain of ['example.com', 'gmail.com', 'sub.example.co.uk', 'com']) {
      assert.equal(isDisposableDomain(domain), false, domain);
    }
  });
});
