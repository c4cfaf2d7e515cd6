import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { captureConsole } from '../support/console-capture.js';
import { assertError, assertNamesField } from '../support/http-assertions.js';
import { Paths as RegistrationPaths } from '../support/registration.js';
import { loggedInAccount, Messages, Paths, sessionEnv } from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp, type TestResponse } from '../support/test-app.js';

/** A stack frame as Node prints it. */
const STACK_FRAME = /^\s+at \S/m;

/** Every endpoint that reads a JSON body; the Bearer ones are called with a live token. */
const JSON_ENDPOINTS: { method: string; path: string; bearer: boolean }[] = [
  { method: 'POST', path: RegistrationPaths.register, bearer: false },
  { method: 'POST', path: RegistrationPaths.confirmOtp, bearer: false },
  { method: 'POST', path: RegistrationPaths.verifyOtp, bearer: false },
  { method: 'POST', path: RegistrationPaths.resendOtp, bearer: false },
  { method: 'POST', path: Paths.login, bearer: false },
  { method: 'POST', path: Paths.refresh, bearer: false },
  { method: 'POST', path: Paths.forgotPassword, bearer: false },
  { method: 'POST', path: Paths.resetPassword, bearer: false },
  { method: 'POST', path: Paths.logout, bearer: true },
  { method: 'POST', path: Paths.changePassword, bearer: true },
  { method: 'PATCH', path: Paths.me, bearer: true },
  { method: 'POST', path: Paths.logoutAll, bearer: true },
  { method: 'DELETE', path: Paths.me, bearer: true },
];

/** Bodies far inside the 16 KiB limit that nest a few thousand levels deep. */
const DEEP_BODIES: Record<string, string> = {
  'arrays in a field': `{"email":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  'objects in objects': `${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}`,
  'one level past the limit': `{"email":${'['.repeat(8)}"a@example.com"${']'.repeat(8)}}`,
};

/** `value` wrapped in `levels` arrays. */
function nested(value: unknown, levels: number): unknown {
  return levels === 0 ? value : [nested(value, levels - 1)];
}

describe('deeply nested JSON bodies: 400 "Malformed JSON", never a 500 or a stack trace', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start(sessionEnv(smtp));
  });
  after(async () => {
    await app.close();
    await smtp.stop();
  });

  for (const { method, path, bearer } of JSON_ENDPOINTS) {
    it(`${method} ${path}: every deep body gets the fixed 400, and nothing is logged with a stack`, async () => {
      // A live token of its own: on a Bearer route the body is what is refused, not the caller.
      const token = bearer ? (await loggedInAccount(app, smtp)).tokens.access : undefined;
      const linesBefore = app.logger.lines.length;

      const { result: responses, output } = await captureConsole(async () => {
        const answers: TestResponse[] = [];
        for (const body of Object.values(DEEP_BODIES)) {
          answers.push(
            await app.request(method, path, {
              body,
              token,
              headers: { 'content-type': 'application/json' },
            }),
          );
        }
        return answers;
      });

      for (const response of responses) assertError(response, 400, Messages.malformedJson);
      const logged = app.logger.lines.slice(linesBefore).join('\n');
      assert.doesNotMatch(logged, STACK_FRAME, 'a stack trace reached the log');
      assert.doesNotMatch(logged, /Unhandled error|RangeError/, 'an error was logged');
      assert.doesNotMatch(output, STACK_FRAME, 'a stack trace reached the console');
    });
  }

  it('a field nested up to the limit still gets its field error, naming the field', async () => {
    // The body is one level, the field's arrays seven more: eight in all, the limit.
    const response = await app.post(Paths.login, {
      email: nested('a@example.com', 7),
      password: 'whatever it is',
    });

    assertError(response, 400);
    assertNamesField(response, 'email', 'must be a string');
  });
});
