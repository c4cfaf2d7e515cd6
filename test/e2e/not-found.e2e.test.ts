import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../support/http-assertions.js';
import { TestApp } from '../support/test-app.js';

/** What a reset e-mail's link carries; an unknown route must not echo it back. */
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtcmVzZXQifQ.c2lnbmF0dXJl';

describe('unknown routes: 404 naming the path, never the query string', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start();
  });
  after(async () => {
    await app.close();
  });

  const cases: [method: string, path: string, expected: string][] = [
    ['GET', `/reset-password?token=${TOKEN}`, 'Cannot GET /reset-password'],
    ['GET', `/reset-password/?token=${TOKEN}&next=%2F`, 'Cannot GET /reset-password/'],
    ['POST', `/api/users/nowhere?refresh=${TOKEN}`, 'Cannot POST /api/users/nowhere'],
    ['GET', '/no/query/here', 'Cannot GET /no/query/here'],
  ];
  for (const [method, path, expected] of cases) {
    it(`${method} ${path.slice(0, 40)}… → 404 "${expected}"`, async () => {
      const response = await app.request(method, path);

      assertError(response, 404, expected);
      assert.ok(!response.text.includes(TOKEN), `the token is echoed: ${response.text}`);
      assert.ok(!app.logger.text().includes(TOKEN), 'the token reached a log line');
    });
  }
});
