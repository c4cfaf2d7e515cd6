import { Logger, ServiceUnavailableException } from '@nestjs/common';
import { createCache } from 'cache-manager';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { EmailValidationService } from '../../../src/email-validation/email-validation.service.js';
import {
  MailboxlayerClient,
  MailboxlayerUnavailableError,
} from '../../../src/email-validation/mailboxlayer.client.js';
import { CapturedLogger } from '../../support/captured-logger.js';
import { sleep, testOptions } from '../support/options.js';

/** Stands in for Mailboxlayer: answers what the test scripts, and records who asked. */
class FakeMailboxlayer implements Pick<MailboxlayerClient, 'enabled' | 'isDeliverable'> {
  enabled = true;
  /** The verdict to give, or the error to throw. */
  answer: boolean | Error = true;
  readonly calls: string[] = [];

  isDeliverable(email: string): Promise<boolean> {
    this.calls.push(email);
    return this.answer instanceof Error
      ? Promise.reject(this.answer)
      : Promise.resolve(this.answer);
  }
}

describe('EmailValidationService', () => {
  let mailboxlayer: FakeMailboxlayer;
  const logger = new CapturedLogger();

  before(() => {
    Logger.overrideLogger(logger);
  });
  after(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(() => {
    mailboxlayer = new FakeMailboxlayer();
    logger.lines.length = 0;
  });

  function service(
    emailValidation: { failOpen?: boolean; verdictTtl?: number } = {},
  ): EmailValidationService {
    return new EmailValidationService(
      mailboxlayer as unknown as MailboxlayerClient,
      createCache(),
      testOptions({ emailValidation }),
    );
  }

  it('refuses an address that fails the offline checks without asking Mailboxlayer', async () => {
    const validation = service();
    assert.equal(await validation.isDeliverable('ada@mailinator.com'), false);
    assert.equal(await validation.isDeliverable('ada@localhost'), false);
    assert.deepEqual(mailboxlayer.calls, []);
  });

  it('accepts on the offline checks alone when no API key is configured', async () => {
    mailboxlayer.enabled = false;
    mailboxlayer.answer = false;
    assert.equal(await service().isDeliverable('ada@example.com'), true);
    assert.deepEqual(mailboxlayer.calls, []);
  });

  it('follows Mailboxlayer when a key is configured', async () => {
    const validation = service();
    mailboxlayer.answer = false;
    assert.equal(await validation.isDeliverable('ada@example.com'), false);
    mailboxlayer.answer = true;
    assert.equal(await validation.isDeliverable('grace@example.com'), true);
    assert.deepEqual(mailboxlayer.calls, ['ada@example.com', 'grace@example.com']);
  });

  it('reuses a deliverable verdict for the same address', async () => {
    const validation = service();
    assert.equal(await validation.isDeliverable('ada@example.com'), true);
    mailboxlayer.answer = false;
    assert.equal(await validation.isDeliverable('ada@example.com'), true);
    assert.deepEqual(mailboxlayer.calls, ['ada@example.com']);
  });

  it('reuses an undeliverable verdict for the same address', async () => {
    const validation = service();
    mailboxlayer.answer = false;
    assert.equal(await validation.isDeliverable('ada@example.com'), false);
    mailboxlayer.answer = true;
    assert.equal(await validation.isDeliverable('ada@example.com'), false);
    assert.deepEqual(mailboxlayer.calls, ['ada@example.com']);
  });

  it('asks again once the verdict has expired', async () => {
    const validation = service({ verdictTtl: 0.03 });
    assert.equal(await validation.isDeliverable('ada@example.com'), true);
    await sleep(60);
    mailboxlayer.answer = false;
    assert.equal(await validation.isDeliverable('ada@example.com'), false);
    assert.equal(mailboxlayer.calls.length, 2);
  });

  describe('when Mailboxlayer is unavailable', () => {
    it('accepts on the offline checks when failing open, and logs a warning', async () => {
      const validation = service({ failOpen: true });
      mailboxlayer.answer = new MailboxlayerUnavailableError('HTTP 500');
      assert.equal(await validation.isDeliverable('ada@example.com'), true);
      assert.match(logger.text(), /^warn: .*Mailboxlayer unavailable: HTTP 500/m);
    });

    it('still refuses what fails the offline checks when failing open', async () => {
      mailboxlayer.answer = new MailboxlayerUnavailableError('timeout');
      assert.equal(await service({ failOpen: true }).isDeliverable('ada@yopmail.com'), false);
    });

    it('answers 503 when failing closed', async () => {
      const validation = service({ failOpen: false });
      mailboxlayer.answer = new MailboxlayerUnavailableError('ECONNABORTED');
      await assert.rejects(validation.isDeliverable('ada@example.com'), (error: unknown) => {
        assert.ok(error instanceof ServiceUnavailableException);
        assert.equal(error.getStatus(), 503);
        assert.deepEqual(error.getResponse(), {
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'Email validation service unavailable. Please try again later.',
        });
        return true;
      });
    });

    it('does not cache the failure (fail-open)', async () => {
      const validation = service({ failOpen: true });
      mailboxlayer.answer = new MailboxlayerUnavailableError('timeout');
      assert.equal(await validation.isDeliverable('ada@example.com'), true);
      mailboxlayer.answer = false;
      assert.equal(await validation.isDeliverable('ada@example.com'), false);
      assert.equal(mailboxlayer.calls.length, 2);
    });

    it('does not cache the failure (fail-closed)', async () => {
      const validation = service({ failOpen: false });
      mailboxlayer.answer = new MailboxlayerUnavailableError('timeout');
      await assert.rejects(
        validation.isDeliverable('ada@example.com'),
        ServiceUnavailableException,
      );
      mailboxlayer.answer = true;
      assert.equal(await validation.isDeliverable('ada@example.com'), true);
      assert.equal(mailboxlayer.calls.length, 2);
    });
  });
});
