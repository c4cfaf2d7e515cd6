import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OpenApiContract, type Exchange } from '../support/openapi-contract.js';
import { Paths } from '../support/session-helpers.js';
import { TestApp } from '../support/test-app.js';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/** An exchange as the test client would see it, with a JSON body. */
function exchange(
  method: string,
  path: string,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Exchange {
  return {
    method,
    path,
    status,
    headers: new Headers({ ...JSON_TYPE, ...headers }),
    text: JSON.stringify(body),
  };
}

/**
 * The check every test's responses go through (`ApiClient`): it must catch each kind of drift
 * between the service and its document, or the suite proves nothing about the document.
 */
describe('the response check against the OpenAPI document', () => {
  let app: TestApp;
  let contract: OpenApiContract;

  before(async () => {
    app = await TestApp.start();
    contract = await OpenApiContract.create((await app.get('/docs-json')).body);
  });
  after(async () => {
    await app.close();
  });

  it('passes what the service answers, with or without the trailing slash', async () => {
    for (const path of ['/api/users/confirm-otp/', '/api/users/confirm-otp']) {
      const response = await app.post(path, { email: 'nobody@example.com', otp: '123456' });
      const problems = contract.check({ method: 'POST', path, ...response });
      assert.deepEqual(problems, [], `${path} → ${response.status} ${response.text}`);
    }
  });

  it('flags a status the operation does not document', () => {
    const problems = contract.check(
      exchange('POST', Paths.logoutAll, 418, { statusCode: 418, error: 'Error', message: 'x' }),
    );
    assert.match(problems.join(), /status 418 is not documented/);
  });

  it('flags a body that fits none of the shapes of its status', () => {
    const withStrayField = { statusCode: 400, error: 'Bad Request', message: 'x', stack: 'at …' };
    const wrongType = {
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid OTP.',
      attempts_remaining: '4',
    };
    for (const body of [withStrayField, wrongType]) {
      const problems = contract.check(exchange('POST', Paths.confirmOtp, 400, body));
      assert.match(problems.join(), /^body: /, JSON.stringify(body));
    }
  });

  it('flags a required header that is missing, and a meaningful one that is not documented', () => {
    const pair = { access: 'a', refresh: 'r', token_type: 'Bearer', expires_in: 900 };
    const withoutNoStore = contract.check(exchange('POST', Paths.login, 200, pair));
    assert.match(withoutNoStore.join(), /headers: .*cache-control/);

    const health = contract.check(
      exchange('GET', '/health', 200, { status: 'ok' }, { 'retry-after': '5' }),
    );
    assert.match(health.join(), /header retry-after: 5 is sent but not documented/);
  });

  it('flags a route the document does not list that the service answers', () => {
    const problems = contract.check(exchange('GET', '/api/users/undocumented/', 200, {}));
    assert.match(problems.join(), /lists no GET \/api\/users\/undocumented\//);
    assert.deepEqual(contract.check(exchange('GET', '/api/users/undocumented/', 404, {})), []);
  });
});
