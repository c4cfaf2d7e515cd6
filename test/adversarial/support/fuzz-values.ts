import fc from 'fast-check';
import { createHmac, randomBytes } from 'node:crypto';

/**
 * The values and request bodies the fuzz tests send. Bodies are built as JSON text rather than
 * with JSON.stringify of an object, so that duplicate keys and `__proto__` keys reach the server
 * as an attacker would send them.
 */

/** Put in front of generated password values, so the logs can be searched for any of them. */
export const PASSWORD_MARKER = `pw${randomBytes(5).toString('hex')}`;

/** A body as sent: its JSON text (or any text) and its Content-Type (undefined: none at all). */
export interface FuzzBody {
  text: string | undefined;
  contentType: string | undefined;
}

/** Ordered key/value pairs of a JSON object; the same key may come twice. */
export type Pairs = [key: string, value: unknown][];

/** How to turn an endpoint's well-formed body into a fuzzed one. */
export type Recipe =
  | { kind: 'replace'; field: string; value: unknown }
  | { kind: 'drop'; field: string }
  | { kind: 'duplicate'; field: string; value: unknown; before: boolean }
  | { kind: 'extra'; pairs: Pairs }
  | { kind: 'whole'; value: unknown }
  | { kind: 'raw'; text: string }
  | { kind: 'truncated'; keep: number }
  | { kind: 'nested'; depth: number };

/** A recipe with the Content-Type to send it under. */
export interface FuzzCase {
  recipe: Recipe;
  contentType: string | undefined;
}

/** Strings attackers and unlucky clients send into any text field. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\t\n',
  '\u0000',
  'a\u0000b',
  '\r\n',
  'Eve\r\nBcc: attacker@example.net',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR '1'='1' --",
  '"; DROP TABLE users; --',
  '${7*7}',
  '{{7*7}}',
  '#{7*7}',
  '../../../../etc/passwd',
  '%00',
  '%0d%0aSet-Cookie: x=1',
  '\uFEFF',
  '\u202Eevil',
  '\uD800',
  '\uDFFF',
  'İıſK',
  '𝕬𝖉𝖆',
  'e\u0301',
  '\u00E9',
  '０１２３４５',
  '١٢٣٤٥٦',
  'NaN',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '[object Object]',
];

/** Values of the wrong kind for any field. */
const NASTY_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  2 ** 53 + 2,
  [],
  {},
  [null],
  [''],
  ['a@example.com', 'b@example.com'],
  { $ne: null },
  { $gt: '' },
  { $where: 'sleep(1000)' },
  { length: 1 },
  { toString: 'x' },
  { valueOf: 1 },
];

/** Keys that try prototype pollution or mass assignment. */
export const DANGEROUS_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'is_active',
  'isActive',
  'id',
  'email_verified',
  'is_staff',
  'is_superuser',
  'password_hash',
  'passwordHash',
  'token_generation',
  'date_joined',
  'role',
];

/** Printable ASCII and Latin-1: what an HTTP header value may carry. */
const headerChar = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
  .map((code) => String.fromCharCode(code));

const hugeString = fc
  .tuple(
    fc.constantFrom('x', 'é', '🧪', '\u0000', ' ', '\\', '"', '\u200B'),
    fc.integer({ min: 1_025, max: 20_000 }),
  )
  .map(([unit, count]) => unit.repeat(count));

/** Any string: ASCII, graphemes, any code unit (lone surrogates too), nasty, huge. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 64 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 32 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 32 }) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 1, arbitrary: hugeString },
);

const dangerousKey = fc.oneof(fc.constantFrom(...DANGEROUS_KEYS), fc.string({ maxLength: 12 }));

/** Any JSON value, biased to the kinds that break validators. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: anyString },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_VALUES) },
  { weight: 1, arbitrary: fc.array(anyString, { maxLength: 3 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(dangerousKey, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  },
);

const domain = fc.constantFrom(
  'example.com',
  'EXAMPLE.COM',
  'exаmple.com', // Cyrillic а
  'xn--exmple-4nf.com',
  'mailinator.com',
  'localhost',
  '[127.0.0.1]',
  'example.com.',
  'ｅxample.com',
  'sub.example.co.uk',
);

/** Strings shaped like e-mail addresses, valid or nearly so. */
const emailish: fc.Arbitrary<string> = fc.oneof(
  fc.emailAddress(),
  fc.emailAddress().map((email) => `  ${email.toUpperCase()}  `),
  fc
    .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), domain)
    .map(([local, host]) => `${local}@${host}`),
  fc
    .tuple(fc.string({ minLength: 0, maxLength: 20 }), domain)
    .map(([local, host]) => `"${local}"@${host}`),
  fc.constantFrom(
    'a@b',
    '@example.com',
    'user@',
    'user＠example.com',
    'user@@example.com',
    'user@example..com',
    '.user@example.com',
    'user.@example.com',
    'us..er@example.com',
    'user@-example.com',
    `${'a'.repeat(65)}@example.com`,
    `user@${'a'.repeat(250)}.com`,
    'user@example.com\u0000',
    'user@example.com\r\nBcc: attacker@example.net',
    'user@example.com,attacker@example.net',
    'user@example.com attacker@example.net',
    '"attacker@example.net"@example.com',
    '"a b"@example.com',
    'user+tag@example.com',
    'ıser@example.com',
  ),
);

/** Strings shaped like OTP codes. */
const otpish: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^\d{1,12}$/),
  fc.stringMatching(/^\d{6}$/),
  fc.constantFrom(
    '000000',
    '999999',
    '12345\u0000',
    ' 123456',
    '123456 ',
    '１２３４５６',
    '١٢٣٤٥٦',
    '12e5',
    '0x1E240',
    '-12345',
  ),
);

/** Password values: most carry the marker, so any leak of them into logs is found. */
const passwordish: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }).map((rest) => `${PASSWORD_MARKER}${rest}`),
  fc.string({ unit: 'grapheme', maxLength: 140 }).map((rest) => `${PASSWORD_MARKER}${rest}`),
  fc.string({ unit: 'binary', maxLength: 40 }).map((rest) => `${PASSWORD_MARKER}${rest}`),
  fc.constantFrom(
    `${PASSWORD_MARKER}`,
    `${PASSWORD_MARKER}${'x'.repeat(1_100)}`,
    `${PASSWORD_MARKER}${'🔑'.repeat(130)}`,
    `${PASSWORD_MARKER}\u0000\u0000`,
  ),
);

/** Names: any text, with the injection classics among them. */
const nameish: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 160 }),
  fc.constantFrom(
    'Eve\r\nBcc: attacker@example.net',
    '<b>Eve</b>',
    '   ',
    'n'.repeat(150),
    'n'.repeat(151),
    `  ${'n'.repeat(150)}  `,
    'Eve\u0000',
  ),
);

const jsonPart = (value: fc.Arbitrary<Record<string, unknown>>) =>
  value.map((json) => Buffer.from(JSON.stringify(json)).toString('base64url'));

/** Header and payload objects with the claims and parameters a JWT library looks at. */
const jwtHeader = fc.record(
  {
    alg: fc.oneof(
      fc.constantFrom('none', 'None', 'HS256', 'HS384', 'HS512', 'RS256', 'ES256', 'PS256', ''),
      fc.string({ maxLength: 8 }),
    ),
    typ: fc.constantFrom('JWT', 'jwt', 'at+jwt', ''),
    kid: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('../../../../dev/null')),
    jku: fc.constant('http://127.0.0.1:9/jwks.json'),
    crit: fc.constant(['exp']),
  },
  { requiredKeys: ['alg'] },
);
const jwtPayload = fc.record(
  {
    sub: fc.oneof(fc.uuid(), fc.string({ maxLength: 10 }), fc.integer()),
    jti: fc.oneof(fc.uuid(), fc.string({ maxLength: 10 })),
    token_type: fc.oneof(
      fc.constantFrom('access', 'refresh', 'reset'),
      fc.string({ maxLength: 8 }),
    ),
    exp: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.string({ maxLength: 10 })),
    nbf: fc.integer({ min: 0, max: 2 ** 31 }),
    iat: fc.integer({ min: 0, max: 2 ** 31 }),
    iss: fc.constantFrom('otp-auth', 'attacker', ''),
    aud: fc.oneof(fc.constantFrom('otp-auth', 'attacker'), fc.constant(['otp-auth'])),
    fam: fc.uuid(),
    gen: fc.oneof(fc.nat(3), fc.string({ maxLength: 3 })),
    pwd_at: fc.nat(),
  },
  { requiredKeys: [] },
);

/** JWT-shaped strings signed with anything but the service's secret. */
export const forgedJwt: fc.Arbitrary<string> = fc
  .tuple(
    jsonPart(jwtHeader),
    jsonPart(jwtPayload),
    fc.oneof(
      fc.constant(''),
      fc
        .uint8Array({ minLength: 1, maxLength: 64 })
        .map((bytes) => Buffer.from(bytes).toString('base64url')),
      fc.string({ maxLength: 16 }).map((key) => `hmac:${key}`),
    ),
  )
  .map(([header, payload, signature]) =>
    signature.startsWith('hmac:')
      ? `${header}.${payload}.${createHmac('sha256', signature.slice(5)).update(`${header}.${payload}`).digest('base64url')}`
      : `${header}.${payload}.${signature}`,
  );

/** Token field values: forged JWTs, near-JWTs and anything else. */
const tokenish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: forgedJwt },
  {
    weight: 1,
    arbitrary: fc.constantFrom('x'.repeat(4096), 'x'.repeat(4097), 'a.b.c', '..', 'Bearer x'),
  },
);

const FIELD_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  email: emailish,
  otp: otpish,
  password: passwordish,
  new_password: passwordish,
  current_password: passwordish,
  full_name: nameish,
  refresh: tokenish,
  refresh_token: tokenish,
  token: tokenish,
};

/** A value for `field`: either any JSON value or one shaped for that field. */
export function valueFor(field: string): fc.Arbitrary<unknown> {
  const shaped = FIELD_VALUES[field];
  return shaped ? fc.oneof(anyValue, shaped) : anyValue;
}

/** Authorization header values that carry no valid access token. */
export const authorizationHeader: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: headerChar, maxLength: 120 }),
  fc.string({ unit: headerChar, maxLength: 120 }).map((value) => `Bearer ${value}`),
  forgedJwt.map((token) => `Bearer ${token}`),
  forgedJwt.map((token) => `bearer ${token}`),
  fc.constantFrom(
    'Bearer',
    'Bearer null',
    'Bearer undefined',
    'Bearer [object Object]',
    'Bearer ey.ey.',
    'Bearer a.b.c',
    `Bearer ${'x'.repeat(8000)}`,
    'Basic dXNlcjpwYXNz',
    'Bearer Bearer',
  ),
);

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;',
  'application/vnd.api+json',
  'application/problem+json',
  'text/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '*/*',
  undefined,
];

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
);

/** Fuzz cases for an endpoint whose well-formed body has `fields` (none for body-less routes). */
export function fuzzCases(fields: readonly string[]): fc.Arbitrary<FuzzCase> {
  const field = fields.length > 0 ? fc.constantFrom(...fields) : fc.constant('body');
  const recipe: fc.Arbitrary<Recipe> = fc.oneof(
    {
      weight: 6,
      arbitrary: field.chain((name) =>
        valueFor(name).map((value): Recipe => ({ kind: 'replace', field: name, value })),
      ),
    },
    { weight: 1, arbitrary: field.map((name): Recipe => ({ kind: 'drop', field: name })) },
    {
      weight: 2,
      arbitrary: fc.tuple(field, fc.boolean()).chain(([name, before]) =>
        valueFor(name).map((value): Recipe => ({
          kind: 'duplicate',
          field: name,
          value,
          before,
        })),
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.tuple(dangerousKey, anyValue), { minLength: 1, maxLength: 4 })
        .map((pairs): Recipe => ({ kind: 'extra', pairs })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Recipe>(
        { kind: 'extra', pairs: [['__proto__', { is_active: false }]] },
        { kind: 'extra', pairs: [['constructor', { prototype: { is_active: false } }]] },
      ),
    },
    { weight: 2, arbitrary: anyValue.map((value): Recipe => ({ kind: 'whole', value })) },
    { weight: 1, arbitrary: anyString.map((text): Recipe => ({ kind: 'raw', text })) },
    {
      weight: 1,
      arbitrary: fc
        .double({ min: 0, max: 1, noNaN: true })
        .map((keep): Recipe => ({ kind: 'truncated', keep })),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 1, max: 9_000 })
        .map((depth): Recipe => ({ kind: 'nested', depth })),
    },
  );
  return fc.record({ recipe, contentType });
}

/** Serialises pairs as a JSON object, keeping duplicates and `__proto__` keys. */
export function pairsToJson(pairs: Pairs): string {
  const members = pairs
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
  return `{${members.join(',')}}`;
}

/** The body a case sends, made from the endpoint's well-formed body as it is now. */
export function render(fuzzCase: FuzzCase, template: Pairs): FuzzBody {
  const { recipe, contentType: type } = fuzzCase;
  const text = ((): string => {
    switch (recipe.kind) {
      case 'replace': {
        const pairs: Pairs = template.map(([key, value]) => [
          key,
          key === recipe.field ? recipe.value : value,
        ]);
        if (!template.some(([key]) => key === recipe.field))
          pairs.push([recipe.field, recipe.value]);
        return pairsToJson(pairs);
      }
      case 'drop':
        return pairsToJson(template.filter(([key]) => key !== recipe.field));
      case 'duplicate': {
        const extra: [string, unknown] = [recipe.field, recipe.value];
        return pairsToJson(recipe.before ? [extra, ...template] : [...template, extra]);
      }
      case 'extra':
        return pairsToJson([...template, ...recipe.pairs]);
      case 'whole':
        return JSON.stringify(recipe.value) ?? 'null';
      case 'raw':
        return recipe.text;
      case 'truncated': {
        const full = pairsToJson(template);
        return full.slice(0, Math.floor(full.length * recipe.keep));
      }
      case 'nested':
        return `${'['.repeat(recipe.depth)}${']'.repeat(recipe.depth)}`;
    }
  })();
  return { text, contentType: type };
}

/** The body as the server's JSON parser reads it, or undefined when it is not a JSON object. */
export function effectiveBody(body: FuzzBody): Record<string, unknown> | undefined {
  if (body.text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(body.text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
