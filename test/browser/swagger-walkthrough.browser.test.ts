import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { APP_HOST, BrowserSession, CHROMIUM_PATH, chromiumInstalled } from '../support/browser.js';
import { freshEmail, GOOD_PASSWORD } from '../support/registration.js';
import { TestApp } from '../support/test-app.js';

/** `.ci/run` sets this, so that a missing Chromium fails there instead of skipping the test. */
const BROWSER_REQUIRED = process.env.BROWSER_TEST_REQUIRED === '1';
const SKIP =
  !chromiumInstalled() && !BROWSER_REQUIRED
    ? `${CHROMIUM_PATH} not found: install Debian's chromium package to run the browser test`
    : false;

/** The whole walk-through; every browser action also has its own 15-second bound. */
const TEST_TIMEOUT_MS = 180_000;

/** An operation of Swagger UI, by its tag and operationId. */
function operation(page: Page, tag: string, operationId: string): Locator {
  return page.locator(`#operations-${tag}-${operationId}`);
}

/** The response Swagger UI shows for an operation after "Execute". */
function liveResponse(op: Locator): Locator {
  return op.locator('.live-responses-table tbody tr.response').first();
}

/** Expands an operation and clicks "Try it out"; returns its body editor. */
async function openTryItOut(op: Locator): Promise<Locator> {
  await op.locator('.opblock-summary').first().click();
  await op.locator('button.try-out__btn').click();
  return op.locator('textarea.body-param__text');
}

/** Clicks "Execute" and reads the status code and the body Swagger UI then shows. */
async function execute(op: Locator): Promise<{ status: number; body: string }> {
  await op.locator('button.execute').click();
  const row = liveResponse(op);
  await row.waitFor();
  const status = Number((await row.locator('td.response-col_status').innerText()).trim());
  const body = await row.locator('.response-col_description pre').first().innerText();
  return { status, body };
}

/** "Try it out" with `body` (if any) typed into the editor, then "Execute". */
async function tryItOut(op: Locator, body?: unknown): Promise<{ status: number; body: string }> {
  const editor = await openTryItOut(op);
  if (body !== undefined) await editor.fill(JSON.stringify(body, null, 2));
  return execute(op);
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    assert.fail(`${what} is not JSON: ${text}`);
  }
}

describe('Swagger UI and the development outbox in Chromium', { skip: SKIP }, () => {
  let app: TestApp;
  let browser: BrowserSession;
  let origin: string;

  /**
   * Runs one step of the walk-through; a failure names the step and lists what went wrong in the
   * browser so far (CSP violations, script errors, failed requests).
   */
  async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof Error) {
        const seen = browser.problems.length
          ? `\n  in the browser:\n    ${browser.problems.join('\n    ')}`
          : '';
        const original = error.message;
        error.message = `step "${name}": ${original}${seen}`;
        // The reporter prints the stack, which was written with the original message.
        error.stack = error.stack?.replace(original, error.message);
      }
      throw error;
    }
  }

  before(async () => {
    // No MAIL_URL: the development outbox is on, as for anyone trying the service out.
    app = await TestApp.start();
    origin = app.baseUrl.replace('127.0.0.1', APP_HOST);
    browser = await BrowserSession.launch();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it(
    'register, read the code in the outbox, confirm, log in, authorize, and see the profile',
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const email = freshEmail('browser');
      const fullName = 'Ada Browser';
      const docs = await browser.newPage();
      const outbox = await browser.newPage();

      await step('Swagger UI renders with its introduction and the five tags', async () => {
        await docs.goto(`${origin}/docs`);
        await docs.locator('.opblock').first().waitFor();
        const intro = docs.locator('.information-container .description');
        assert.match(await intro.innerText(), /development outbox/);
        assert.equal(await intro.locator('a[href="/dev/outbox"]').count(), 1, 'no outbox link');
        const tags = await docs.locator('.opblock-tag-section h3').allInnerTexts();
        for (const tag of ['Registration', 'Session', 'Password', 'Profile', 'Operations']) {
          assert.ok(
            tags.some((text) => text.startsWith(tag)),
            `no ${tag} section in ${tags.join(' | ')}`,
          );
        }
        await browser.screenshot(docs, '01-docs');
      });

      await step('the outbox opens empty, before any e-mail', async () => {
        await outbox.goto(`${origin}/dev/outbox`);
        await outbox.locator('.empty').waitFor();
      });

      await step('POST register with "Try it out" answers 200', async () => {
        await docs.bringToFront();
        const register = operation(docs, 'Registration', 'register');
        const response = await tryItOut(register, {
          email,
          password: GOOD_PASSWORD,
          full_name: fullName,
        });
        assert.equal(response.status, 200, `register: ${response.body}`);
        assert.match(response.body, /OTP sent to your email\./);
        await browser.screenshotSpan(docs, register, liveResponse(register), '02-register-200');
      });

      // The outbox page was not reloaded by the test: it must refresh itself.
      const code = await step('the outbox shows the new mail and its code by itself', async () => {
        await outbox.bringToFront();
        const mail = outbox.locator('article.mail').first();
        await mail.locator('.to', { hasText: email }).waitFor({ timeout: 10_000 });
        const shown = (await mail.locator('.copy-value').innerText()).trim();
        assert.match(shown, /^\d{6}$/, `the code element shows "${shown}"`);
        assert.match(await mail.locator('.subject').innerText(), /verification code/i);
        assert.ok((await mail.locator('pre.text').innerText()).includes(shown), 'body lacks code');
        await mail.locator('button.copy-button').click();
        await mail.locator('button.copy-button', { hasText: 'Copied' }).waitFor({ timeout: 5_000 });
        await browser.screenshot(outbox, '03-outbox');
        return shown;
      });

      await step('POST confirm-otp with the pasted code answers 201', async () => {
        await docs.bringToFront();
        const confirm = operation(docs, 'Registration', 'confirmOtp');
        const editor = await openTryItOut(confirm);
        // The code goes in through the clipboard, where the outbox's copy button put it.
        await editor.fill(`{"email": "${email}", "otp": "`);
        await editor.press('ControlOrMeta+V');
        await editor.pressSequentially('"}');
        assert.equal(
          await editor.inputValue(),
          `{"email": "${email}", "otp": "${code}"}`,
          'the pasted code is not the one the outbox shows',
        );
        const response = await execute(confirm);
        assert.equal(response.status, 201, `confirm-otp: ${response.body}`);
        const created = parseJson<{ user: { email: string } }>(response.body, 'confirm-otp');
        assert.equal(created.user.email, email);
        await browser.screenshotSpan(docs, confirm, liveResponse(confirm), '04-confirm-otp-201');
      });

      const access = await step('POST login answers 200 with an access token', async () => {
        const login = operation(docs, 'Session', 'login');
        const response = await tryItOut(login, { email, password: GOOD_PASSWORD });
        assert.equal(response.status, 200, `login: ${response.body}`);
        const token = parseJson<{ access?: string }>(response.body, 'login').access ?? '';
        assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'no JWT as access in the response');
        await browser.screenshotSpan(docs, login, liveResponse(login), '05-login-200');
        return token;
      });

      await step('"Authorize" takes the access token', async () => {
        await docs.locator('.scheme-container button.authorize').click();
        const modal = docs.locator('.modal-ux');
        await modal.locator('input').first().fill(access);
        await modal.locator('.auth-btn-wrapper button.authorize').click();
        const close = modal.locator('.auth-btn-wrapper button.btn-done');
        await close.waitFor();
        assert.match(await modal.innerText(), /Authorized/);
        await browser.screenshot(docs, '06-authorized');
        await close.click();
        await modal.waitFor({ state: 'detached' });
      });

      await step('GET /api/users/me/ sends the token and shows the profile', async () => {
        const me = operation(docs, 'Profile', 'getProfile');
        const response = await tryItOut(me);
        assert.equal(response.status, 200, `GET me: ${response.body}`);
        const profile = parseJson<{ email: string; full_name: string }>(response.body, 'GET me');
        assert.equal(profile.email, email);
        assert.equal(profile.full_name, fullName);
        assert.match(await me.locator('.curl-command').innerText(), /Authorization: Bearer ey/);
        await browser.screenshotSpan(docs, me, liveResponse(me), '07-profile-200');
      });

      await step('the authorization survives a reload (persistAuthorization)', async () => {
        await docs.reload();
        await docs.locator('.scheme-container button.authorize.locked').waitFor();
      });

      await step('no CSP violation, script error, failed request or console error', async () => {
        for (const page of [docs, outbox]) {
          assert.deepEqual(await BrowserSession.cspViolations(page), [], `CSP on ${page.url()}`);
        }
        assert.deepEqual(browser.problems, []);
      });
    },
  );
});
