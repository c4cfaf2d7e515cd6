import 'reflect-metadata';
import { BadRequestException, type ArgumentMetadata } from '@nestjs/common';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyErrorMessages } from '../../../src/common/http/body-errors.js';
import { MAX_JSON_DEPTH } from '../../../src/common/http/json-depth.js';
import { RequestValidationPipe } from '../../../src/common/http/request-validation.pipe.js';
import { ConfirmOtpDto } from '../../../src/otp/dto/confirm-otp.dto.js';
import { RegisterDto } from '../../../src/otp/dto/register.dto.js';
import { ResendOtpDto } from '../../../src/otp/dto/resend-otp.dto.js';
import { UpdateProfileDto } from '../../../src/profile/dto/update-profile.dto.js';

const pipe = new RequestValidationPipe();
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({
  type: 'body',
  metatype,
});

const valid = {
  email: 'ada@example.com',
  password: 'violet lantern harbor',
  full_name: 'Ada Lovelace',
};

function register(value: unknown): Promise<unknown> {
  return pipe.transform(value, body(RegisterDto));
}

/** The `message` of the 400 that `call` must reject with. */
async function rejection(call: Promise<unknown>): Promise<string | string[]> {
  let thrown: unknown;
  try {
    await call;
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof BadRequestException, `expected a 400, got ${String(thrown)}`);
  const response = thrown.getResponse() as { message: string | string[] };
  return response.message;
}

/** The field messages of the 400 that `call` must reject with. */
async function fieldMessages(call: Promise<unknown>): Promise<string[]> {
  const message = await rejection(call);
  assert.ok(Array.isArray(message), `expected field messages, got ${JSON.stringify(message)}`);
  return message;
}

describe('RequestValidationPipe', () => {
  describe('a body that is not a JSON object', () => {
    for (const [what, value] of [
      ['an array', [valid]],
      ['a string', JSON.stringify(valid)],
      ['a number', 42],
      ['null', null],
      ['undefined', undefined],
    ] as [string, unknown][]) {
      it(`refuses ${what}`, async () => {
        assert.equal(await rejection(register(value)), 'Request body must be a JSON object.');
      });
    }
  });

  // A host app's own JSON parser hands such a body over; class-transformer would recurse once
  // per level and overflow its stack (RangeError, a 500).
  it('refuses a body nested deeper than the limit as malformed, however deep', async () => {
    let deep: unknown = 'ada@example.com';
    for (let level = 0; level < 5000; level++) deep = [deep];
    assert.equal(
      await rejection(register({ ...valid, email: deep })),
      BodyErrorMessages.malformedJson,
    );
    let oneTooMany: unknown = 'ada@example.com';
    for (let level = 0; level < MAX_JSON_DEPTH; level++) oneTooMany = [oneTooMany];
    assert.equal(
      await rejection(register({ ...valid, email: oneTooMany })),
      BodyErrorMessages.malformedJson,
    );
  });

  it('gives back an instance of the DTO with the fields it declares', async () => {
    const dto = await register({ ...valid });
    assert.ok(dto instanceof RegisterDto);
    assert.deepEqual({ ...dto }, valid);
  });

  it('strips unknown fields, so none can be mass-assigned', async () => {
    const dto = await register({ ...valid, is_active: false, id: 7, email_verified: true });
    assert.deepEqual(Object.keys(dto as object).sort(), ['email', 'full_name', 'password']);
    assert.equal((dto as Record<string, unknown>).is_active, undefined);
  });

  it('does not let __proto__ or constructor keys through', async () => {
    const parsed: unknown = JSON.parse(
      `{"email":"ada@example.com","password":"violet lantern harbor","full_name":"Ada",` +
        `"__proto__":{"is_active":true,"id":7},"constructor":{"prototype":{"is_admin":true}}}`,
    );
    const dto = (await register(parsed)) as Record<string, unknown>;
    assert.ok(dto instanceof RegisterDto);
    assert.deepEqual(Object.keys(dto).sort(), ['email', 'full_name', 'password']);
    assert.equal(dto.is_active, undefined);
    assert.equal(dto.id, undefined);
    assert.equal(({} as Record<string, unknown>).is_admin, undefined);
    assert.equal(({} as Record<string, unknown>).is_active, undefined);
  });

  it('trims and lower-cases the email', async () => {
    const dto = (await register({ ...valid, email: '  Ada.Lovelace@Example.COM ' })) as RegisterDto;
    assert.equal(dto.email, 'ada.lovelace@example.com');
  });

  it('trims the full name', async () => {
    const dto = (await register({ ...valid, full_name: '\t Ada Lovelace  ' })) as RegisterDto;
    assert.equal(dto.full_name, 'Ada Lovelace');
  });

  it('leaves the password exactly as received', async () => {
    const dto = (await register({ ...valid, password: '  Violet Lantern  ' })) as RegisterDto;
    assert.equal(dto.password, '  Violet Lantern  ');
  });

  it('refuses a full name that is empty after trimming', async () => {
    assert.deepEqual(await fieldMessages(register({ ...valid, full_name: '   ' })), [
      'full_name should not be empty',
    ]);
  });

  it('refuses a full name over 150 characters after trimming, and accepts 150', async () => {
    const messages = await fieldMessages(register({ ...valid, full_name: 'a'.repeat(151) }));
    assert.equal(messages.length, 1);
    assert.match(messages[0], /^full_name /);
    const dto = (await register({ ...valid, full_name: ` ${'a'.repeat(150)} ` })) as RegisterDto;
    assert.equal(dto.full_name.length, 150);
  });

  it('refuses an email that is not an address, or too long', async () => {
    for (const email of ['ada', 'ada@localhost', '', `${'a'.repeat(64)}@${'b'.repeat(190)}.com`]) {
      const messages = await fieldMessages(register({ ...valid, email }));
      assert.equal(messages.length, 1, JSON.stringify(messages));
      assert.match(messages[0], /^email /, JSON.stringify(email));
    }
  });

  it('refuses wrong types with one message naming each field', async () => {
    const messages = await fieldMessages(
      register({ email: 42, password: ['x'], full_name: { first: 'Ada' } }),
    );
    assert.deepEqual(messages.sort(), [
      'email must be a string',
      'full_name must be a string',
      'password must be a string',
    ]);
  });

  it('refuses missing fields with a message naming each, as a type error', async () => {
    assert.deepEqual((await fieldMessages(register({}))).sort(), [
      'email must be a string',
      'full_name must be a string',
      'password must be a string',
    ]);
    assert.deepEqual(
      await fieldMessages(register({ email: 'ada@example.com', password: null, full_name: 'Ada' })),
      ['password must be a string'],
    );
  });

  it('refuses an empty password', async () => {
    assert.deepEqual(await fieldMessages(register({ ...valid, password: '' })), [
      'password should not be empty',
    ]);
  });

  describe('ConfirmOtpDto', () => {
    const confirm = (value: unknown) => pipe.transform(value, body(ConfirmOtpDto));

    it('accepts a code of digits, leading zeros kept, as a string', async () => {
      const dto = (await confirm({ email: ' Ada@Example.com', otp: '042917' })) as ConfirmOtpDto;
      assert.deepEqual({ ...dto }, { email: 'ada@example.com', otp: '042917' });
    });

    for (const otp of ['04291a', '0429 17', '123', '12345678901', '', '４２９１７６']) {
      it(`refuses otp ${JSON.stringify(otp)}`, async () => {
        const messages = await fieldMessages(confirm({ email: 'ada@example.com', otp }));
        assert.equal(messages.length, 1);
        assert.match(messages[0], /^otp /);
      });
    }

    it('refuses a numeric or missing otp, which would lose its leading zeros', async () => {
      assert.deepEqual(await fieldMessages(confirm({ email: 'ada@example.com', otp: 42917 })), [
        'otp must be a string',
      ]);
      assert.deepEqual(await fieldMessages(confirm({ email: 'ada@example.com' })), [
        'otp must be a string',
      ]);
    });
  });

  describe('ResendOtpDto', () => {
    it('keeps only the normalised email', async () => {
      const dto = await pipe.transform(
        { email: 'ADA@example.com ', otp: '123456' },
        body(ResendOtpDto),
      );
      assert.deepEqual({ ...(dto as object) }, { email: 'ada@example.com' });
    });

    // Found by fuzzing: validator's isEmail threw "URI malformed" on these, a 500.
    for (const email of ['\ud800', 'ada\udfff@example.com', 'ada@example.com\ud83d']) {
      it(`refuses an e-mail with a lone surrogate (${JSON.stringify(email)}) as invalid`, async () => {
        assert.deepEqual(await fieldMessages(pipe.transform({ email }, body(ResendOtpDto))), [
          'email must be a valid email address',
        ]);
      });
    }

    it('still takes well-formed non-ASCII addresses (the register checks judge them later)', async () => {
      const dto = await pipe.transform({ email: 'Ünïcode@exämple.com' }, body(ResendOtpDto));
      assert.deepEqual({ ...(dto as object) }, { email: 'ünïcode@exämple.com' });
    });
  });

  // Found by fuzzing: PostgreSQL cannot store U+0000 in text (the insert failed, a 500), and both
  // databases stored a lone surrogate as U+FFFD (the name read back was not the one sent).
  describe('full_name with a NUL character or a lone surrogate', () => {
    for (const [what, call] of [
      ['register', (name: string) => register({ ...valid, full_name: name })],
      ['PATCH me', (name: string) => pipe.transform({ full_name: name }, body(UpdateProfileDto))],
    ] as [string, (name: string) => Promise<unknown>][]) {
      it(`${what}: refused, naming the field`, async () => {
        for (const name of ['Ada\u0000', '\u0000', 'A\u0000da Lovelace']) {
          assert.deepEqual(await fieldMessages(call(name)), [
            'full_name must not contain null characters',
          ]);
        }
      });

      it(`${what}: a lone surrogate is refused, naming the field`, async () => {
        for (const name of ['Ada\ud800', '\udfff', 'Ada \ud83d Lovelace']) {
          assert.deepEqual(await fieldMessages(call(name)), [
            'full_name must be well-formed Unicode text',
          ]);
        }
      });

      it(`${what}: other control and non-ASCII characters still pass`, async () => {
        const dto = (await call('  Åda\tLøvelace 🧪 ')) as { full_name: string };
        assert.equal(dto.full_name, 'Åda\tLøvelace 🧪');
      });
    }
  });
});
