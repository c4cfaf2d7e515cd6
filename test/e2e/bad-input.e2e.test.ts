import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PasswordHasher } from '../../src/password/password-hasher.service.js';
import { UsersService } from '../../src/users/users.service.js';
import {
  assertClientError,
  assertError,
  assertNamesField,
  assertNotIn,
  wholeResponse,
} from '../support/http-assertions.js';
import {
  Messages,
  Paths,
  freshEmail,
  outboxCode,
  registrationBody,
} from '../support/registration.js';
import { TestApp } from '../support/test-app.js';

/** Sent in every body below: it must come back in no response. */
const SECRET_PASSWORD = 'Secret-Walrus-Umbrella-8341';

/** A syntactically valid address of exactly `length` characters (labels of at most 63). */
function emailOfLength(length: number): string {
  const fixed = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.`;
  const address = `${fixed}${'d'.repeat(length - fixed.length - 4)}.com`;
  assert.equal(address.length, length);
  return address;
}

/** One endpoint: a valid body (fresh per call) and its fields. */
interface Endpoint {
  path: string;
  validBody: () => Record<string, unknown>;
}

const ENDPOINTS: Record<string, Endpoint> = {
  register: {
    path: Paths.register,
    validBody: () => ({ ...registrationBody({ password: SECRET_PASSWORD }) }),
  },
  'confirm-otp': {
    path: Paths.confirmOtp,
    validBody: () => ({ email: freshEmail(), otp: '123456' }),
  },
  'verify-otp': {
    path: Paths.verifyOtp,
    validBody: () => ({ email: freshEmail(), otp: '123456' }),
  },
  'resend-otp': { path: Paths.resendOtp, validBody: () => ({ email: freshEmail() }) },
};

/**
 * Values of the wrong kind for any string field (`undefined`: the field is left out), with what
 * the message must say about the field: its type, not some other rule it happens to break.
 */
const WRONG_VALUES: [label: string, value: unknown, says: string][] = [
  ['a number', 42, 'must be a string'],
  ['a float', 1.5, 'must be a string'],
  ['an array of strings', ['a@example.com'], 'must be a string'],
  ['an empty array', [], 'must be a string'],
  ['an object', { value: 'x' }, 'must be a string'],
  ['null', null, 'must be a string'],
  ['true', true, 'must be a string'],
  ['false', false, 'must be a string'],
  ['an empty string', '', 'should not be empty'],
  ['missing', undefined, 'must be a string'],
];

/** Strings of the right type that a field still refuses. */
const BAD_STRINGS: Record<string, [label: string, value: string][]> = {
  email: [
    ['without an @', 'not-an-email'],
    ['without a TLD', 'someone@localhost'],
    ['only spaces', '   '],
    ['of 255 characters', emailOfLength(255)],
  ],
  full_name: [
    ['only spaces', '    '],
    ['151 characters after trimming', `  ${'n'.repeat(151)}  `],
  ],
  password: [['longer than the 1024-character field limit', 'p'.repeat(1025)]],
  otp: [
    ['with letters', '12a456'],
    ['with spaces', '123 456'],
    ['of 3 digits', '123'],
    ['of 11 digits', '12345678901'],
    ['a negative number as text', '-123456'],
  ],
};

/** Bodies that are not a JSON object of fields. */
const BAD_BODIES: {
  name: string;
  body: string | Uint8Array;
  contentType?: string;
  status?: number;
  message?: string;
}[] = [
  {
    name: 'malformed JSON (the password in it is not echoed)',
    body: `{"email": "a@example.com", "password": "${SECRET_PASSWORD}", "full_name": `,
    contentType: 'application/json',
    status: 400,
    message: Messages.malformedJson,
  },
  {
    name: 'JSON with a trailing comma',
    body: `{"email": "a@example.com", "password": "${SECRET_PASSWORD}",}`,
    contentType: 'application/json',
    status: 400,
    message: Messages.malformedJson,
  },
  { name: 'an empty JSON body', body: '', contentType: 'application/json', status: 400 },
  { name: 'a JSON array', body: '[]', contentType: 'application/json', status: 400 },
  { name: 'a JSON string', body: '"a@example.com"', contentType: 'application/json', status: 400 },
  { name: 'a JSON number', body: '42', contentType: 'application/json', status: 400 },
  { name: 'JSON null', body: 'null', contentType: 'application/json', status: 400 },
  {
    name: 'a 20 KiB body',
    body: JSON.stringify({
      ...registrationBody({ password: SECRET_PASSWORD }),
      padding: 'x'.repeat(20 * 1024),
    }),
    contentType: 'application/json',
    status: 413,
  },
  {
    name: 'text/plain',
    body: JSON.stringify(registrationBody({ password: SECRET_PASSWORD })),
    contentType: 'text/plain',
  },
  {
    name: 'form-encoded',
    body: `email=a%40example.com&password=${SECRET_PASSWORD}&full_name=Ada`,
    contentType: 'application/x-www-form-urlencoded',
  },
  {
    name: 'no Content-Type',
    body: new TextEncoder().encode(JSON.stringify(registrationBody({ password: SECRET_PASSWORD }))),
  },
];

describe('bad input on the registration endpoints: always a 4xx in the standard shape', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start({ OTP_RESEND_COOLDOWN: '0' });
  });
  after(async () => {
    await app.close();
  });

  for (const [name, endpoint] of Object.entries(ENDPOINTS)) {
    describe(`POST ${name}`, () => {
      for (const field of Object.keys(endpoint.validBody())) {
        for (const [label, value, says] of WRONG_VALUES) {
          it(`${field} ${label} → 400 "${field} ${says}"`, async () => {
            const body = endpoint.validBody();
            if (value === undefined) delete body[field];
            else body[field] = value;

            const response = await app.post(endpoint.path, body);

            assertError(response, 400);
            assertNamesField(response, field, says);
            assertNotIn(wholeResponse(response), [SECRET_PASSWORD], 'the response');
          });
        }

        for (const [label, value] of BAD_STRINGS[field] ?? []) {
          it(`${field} ${label} → 400 naming ${field}`, async () => {
            const body = { ...endpoint.validBody(), [field]: value };

            const response = await app.post(endpoint.path, body);

            assertError(response, 400);
            assertNamesField(response, field);
            assertNotIn(
              wholeResponse(response),
              [SECRET_PASSWORD, value.trim()].filter(Boolean),
              'the response',
            );
          });
        }
      }

      for (const bad of BAD_BODIES) {
        it(`${bad.name} → ${bad.status ?? '4xx'}, nothing of the body echoed`, async () => {
          const response = await app.request('POST', endpoint.path, {
            body: bad.body,
            headers: bad.contentType ? { 'content-type': bad.contentType } : {},
          });

          assertClientError(response);
          if (bad.status) assert.equal(response.status, bad.status, response.text);
          if (bad.message) assert.equal(response.body.message, bad.message);
          assertNotIn(wholeResponse(response), [SECRET_PASSWORD], 'the response');
        });
      }
    });
  }

  it('unknown fields are ignored, never stored: is_active, id and others in register and confirm change nothing', async () => {
    const body = registrationBody({ password: SECRET_PASSWORD });
    const planted = {
      id: '00000000-0000-4000-8000-000000000000',
      is_active: false,
      email_verified: true,
      is_staff: true,
      token_generation: 99,
      date_joined: '2000-01-01T00:00:00.000Z',
      password_hash: '$argon2id$v=19$m=19456,t=2,p=1$planted$planted',
    };
    const register = await app.post(Paths.register, { ...body, ...planted });
    assert.equal(register.status, 200, register.text);
    const otp = await outboxCode(app, body.email);

    const confirm = await app.post(Paths.confirmOtp, {
      email: body.email,
      otp,
      ...planted,
      full_name: 'Mallory Mass-Assignment',
    });

    assert.equal(confirm.status, 201, confirm.text);
    assert.notEqual(confirm.body.user?.id, planted.id);
    assert.equal(confirm.body.user?.full_name, body.full_name);
    const stored = await app.provider(UsersService).findByEmail(body.email);
    assert.ok(stored);
    assert.equal(stored.id, confirm.body.user?.id);
    assert.equal(stored.isActive, true);
    assert.equal(stored.tokenGeneration, 0);
    assert.equal(stored.fullName, body.full_name);
    assert.ok(
      stored.dateJoined.getTime() > Date.now() - 60_000,
      'date_joined is now, not the planted date',
    );
    assert.ok(await app.provider(PasswordHasher).verify(stored.passwordHash, SECRET_PASSWORD));
  });

  it('full_name is trimmed, and 150 characters between spaces are accepted', async () => {
    const name = 'n'.repeat(150);
    const body = registrationBody({ full_name: `   ${name}   ` });

    const register = await app.post(Paths.register, body);
    const confirm = await app.post(Paths.confirmOtp, {
      email: body.email,
      otp: await outboxCode(app, body.email),
    });

    assert.equal(register.status, 200, register.text);
    assert.equal(confirm.body.user?.full_name, name);
  });

  it('an e-mail of 254 characters is accepted', async () => {
    const email = emailOfLength(254);

    const response = await app.post(Paths.register, registrationBody({ email }));

    assert.equal(response.status, 200, response.text);
  });
});
