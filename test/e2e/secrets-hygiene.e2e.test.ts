import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PendingRegistrationStore } from '../../src/otp/pending-registration.store.js';
import { captureConsole } from '../support/console-capture.js';
import { assertNotIn, wholeResponse } from '../support/http-assertions.js';
import {
  Paths,
  expectCodeMailed,
  outboxCode,
  registrationBody,
  wrongCode,
  type RegistrationBody,
} from '../support/registration.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp, type TestResponse } from '../support/test-app.js';

/** Recognisable in any text; an argon2id hash of it starts with ARGON2_PREFIX. */
const PASSWORD = 'Hygiene-Quokka-Tangerine-5521';
const ARGON2_PREFIX = '$argon2';

/** True when `code` shows as a whole run of digits (not as part of a longer number). */
function showsCode(text: string, code: string): boolean {
  return new RegExp(`(?<!\\d)${code}(?!\\d)`).test(text);
}

function assertNoCode(text: string, codes: readonly string[], where: string): void {
  for (const code of codes) assert.ok(!showsCode(text, code), `${where} shows the code ${code}`);
}

/**
 * Runs every registration branch once for `body`: register, a wrong guess, a resend, registering
 * again, two parallel confirmations (the loser may reach the unique constraint), a 409 and a policy
 * refusal. `nextCode` sends a request that mails a code and returns the code.
 */
async function exerciseRegistration(
  app: TestApp,
  body: RegistrationBody,
  nextCode: (send: () => Promise<TestResponse>) => Promise<string>,
): Promise<{ responses: TestResponse[]; codes: string[] }> {
  const responses: TestResponse[] = [];
  const record = async (request: Promise<TestResponse>) => {
    const response = await request;
    responses.push(response);
    return response;
  };
  const codes = [await nextCode(() => record(app.post(Paths.register, body)))];
  await record(app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(codes[0]) }));
  codes.push(await nextCode(() => record(app.post(Paths.resendOtp, { email: body.email }))));
  codes.push(await nextCode(() => record(app.post(Paths.register, body))));
  const confirms = await Promise.all([
    record(app.post(Paths.confirmOtp, { email: body.email, otp: codes[2] })),
    record(app.post(Paths.verifyOtp, { email: body.email, otp: codes[2] })),
  ]);
  assert.equal(confirms.filter((response) => response.status === 201).length, 1);
  await record(app.post(Paths.register, body));
  await record(app.post(Paths.register, { ...body, password: `${body.email.split('@')[0]}!` }));
  return { responses, codes };
}

describe('no password, hash or code in responses and logs, with MAIL_URL set', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({ MAIL_URL: smtp.url, OTP_RESEND_COOLDOWN: '0' });
  });
  after(async () => {
    smtp.rejecting = false;
    await app.close();
    await smtp.stop();
  });

  it('every branch of the flow: responses and logs (the app logger and the console) show none of them', async () => {
    const body = registrationBody({ password: PASSWORD });

    const { result, output } = await captureConsole(async () => {
      const flow = await exerciseRegistration(app, body, (send) =>
        expectCodeMailed(smtp, body.email, send),
      );
      const failing = registrationBody({ password: PASSWORD });
      smtp.rejecting = true;
      flow.responses.push(await app.post(Paths.register, failing));
      smtp.rejecting = false;
      return flow;
    });

    assert.equal(result.responses.at(-1)?.status, 503, 'the failed send is part of the flow');
    for (const response of result.responses) {
      assertNotIn(
        wholeResponse(response),
        [PASSWORD, ARGON2_PREFIX],
        `a ${response.status} response`,
      );
      assertNoCode(wholeResponse(response), result.codes, `a ${response.status} response`);
    }
    const logs = `${app.logger.text()}\n${output}`;
    assert.ok(app.logger.lines.length > 0, 'nothing was logged at all');
    assertNotIn(logs, [PASSWORD, ARGON2_PREFIX], 'the logs');
    assertNoCode(logs, result.codes, 'the logs');
  });
});

describe('what a pending registration holds', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({ MAIL_URL: smtp.url });
  });
  after(async () => {
    await app.close();
    await smtp.stop();
  });

  it('the argon2id hash of the password (at least OWASP cost) and a hash of the code, never either in clear', async () => {
    const body = registrationBody({ password: PASSWORD });
    const code = await expectCodeMailed(smtp, body.email, () => app.post(Paths.register, body));

    const [pending] = await app.provider(PendingRegistrationStore).find(body.email);

    assert.ok(pending, 'no pending registration');
    const stored = JSON.stringify(pending);
    assertNotIn(stored, [PASSWORD], 'the pending registration');
    assertNoCode(stored, [code], 'the pending registration');
    const [, algorithm, , parameters] = pending.passwordHash.split('$');
    assert.equal(algorithm, 'argon2id');
    const cost = Object.fromEntries(
      parameters.split(',').map((pair) => [pair.split('=')[0], Number(pair.split('=')[1])]),
    );
    assert.ok(
      cost.m >= 19456 && cost.t >= 2 && cost.p >= 1,
      `below OWASP's minimum: ${parameters}`,
    );
    assert.equal(pending.fullName, body.full_name);
  });
});

describe('no password, hash or code in responses and logs, with the development outbox', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start({ OTP_RESEND_COOLDOWN: '0' });
  });
  after(async () => {
    await app.close();
  });

  it('the code shows only in the outbox and its log line; the password and its hash nowhere', async () => {
    const body = registrationBody({ password: PASSWORD });
    const readOutbox = async (send: () => Promise<TestResponse>) => {
      const response = await send();
      assert.equal(response.status, 200, response.text);
      return outboxCode(app, body.email);
    };

    const { result, output } = await captureConsole(() =>
      exerciseRegistration(app, body, readOutbox),
    );

    for (const response of result.responses) {
      assertNotIn(
        wholeResponse(response),
        [PASSWORD, ARGON2_PREFIX],
        `a ${response.status} response`,
      );
      assertNoCode(wholeResponse(response), result.codes, `a ${response.status} response`);
    }
    const outbox = await app.get('/dev/outbox.json');
    assertNotIn(outbox.text, [PASSWORD, ARGON2_PREFIX], 'the outbox');
    assert.ok(
      result.codes.every((code) => showsCode(outbox.text, code)),
      'the outbox shows the codes',
    );
    const logs = `${app.logger.text()}\n${output}`;
    assertNotIn(logs, [PASSWORD, ARGON2_PREFIX], 'the logs');
    const linesWithCode = app.logger.lines.filter((line) =>
      result.codes.some((code) => showsCode(line, code)),
    );
    assert.ok(linesWithCode.length > 0, 'the outbox logs the mails');
    for (const line of linesWithCode) assert.match(line, /^log: \[dev outbox\]/);
    assertNoCode(output, result.codes, 'the console');
  });
});
