import fc from 'fast-check';

/** Keys that try to reach object prototypes or internal fields through a JSON body. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Account fields a client must never be able to set through a public body. */
export const PRIVILEGED_KEYS = [
  'role',
  'is_active',
  'email_verified',
  'id',
  'password_hash',
  'failed_login_count',
  'locked_until',
  'created_at',
] as const;

const controlChars = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\r\n',
  '\t',
  '\u2028',
  '\ufeff',
);
const loneSurrogate = fc.constantFrom('\ud800', '\udfff', 'a\ud83d');

/** Strings a careless server chokes on. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .tuple(fc.string({ maxLength: 8 }), controlChars, fc.string({ maxLength: 8 }))
    .map((p) => p.join('')),
  fc.tuple(fc.string({ maxLength: 8 }), loneSurrogate).map((p) => p.join('')),
  fc.constantFrom(
    '',
    ' ',
    '   \t  ',
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    '${jndi:ldap://x}',
    '{{7*7}}',
    '<script>alert(1)</script>',
    '../../../../etc/passwd',
    '%00',
    'null',
    'undefined',
    'true',
    '12345678',
    '1e309',
    'Ａｄｍｉｎ@ｅｘａｍｐｌｅ.ｃｏｍ',
    'ädmin@exämple.com',
    'admin@example.com\u0000.evil',
    'a\u0000b@example.com',
  ),
  fc.constantFrom(129, 255, 513, 1025, 5_000, 100_000).map((n) => 'x'.repeat(n)),
);

const deeplyNested = fc
  .constantFrom(10, 100, 1_000)
  .map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown);

/** Any JSON value, leaning towards the wrong type for a string field. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), {
      maxKeys: 4,
    }),
  },
  { weight: 1, arbitrary: deeplyNested },
);

export type Entries = Array<[string, unknown]>;

/**
 * Serialises key/value pairs by hand, so `__proto__` ends up in the text as a plain key and a key
 * may appear twice (JSON.stringify of an object can do neither).
 */
export function serialise(entries: Entries): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`;
}

const extraKey = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.constantFrom(...PRIVILEGED_KEYS),
  fc.string({ maxLength: 10 }),
);
const extraEntry: fc.Arbitrary<[string, unknown]> = fc.tuple(
  extraKey,
  fc.oneof(hostileValue, fc.constant({ role: 'admin', is_active: false, polluted: true })),
);

/** A field of the endpoint's body: absent, hostile, or plausible. */
export interface FieldSpec {
  name: string;
  plausible: fc.Arbitrary<unknown>;
  /** Chance the field gets a plausible value (the rest: hostile or missing). */
  plausibleWeight?: number;
}

/**
 * Request bodies for an endpoint: mostly objects with its fields (each plausible, hostile or
 * absent, possibly twice) plus extra and prototype keys; sometimes not an object or not JSON at all.
 */
export function hostileBody(fields: FieldSpec[]): fc.Arbitrary<string> {
  const field = (spec: FieldSpec): fc.Arbitrary<Entries> =>
    fc.oneof(
      {
        weight: spec.plausibleWeight ?? 3,
        arbitrary: spec.plausible.map((v): Entries => [[spec.name, v]]),
      },
      { weight: 3, arbitrary: hostileValue.map((v): Entries => [[spec.name, v]]) },
      { weight: 1, arbitrary: fc.constant<Entries>([]) },
      {
        weight: 1,
        arbitrary: fc.tuple(spec.plausible, hostileValue).map(([a, b]): Entries => [
          [spec.name, a],
          [spec.name, b],
        ]),
      },
    );
  const object = fc
    .tuple(fc.tuple(...fields.map(field)), fc.array(extraEntry, { maxLength: 4 }), fc.boolean())
    .map(([parts, extras, extrasFirst]) => {
      const own = parts.flat();
      return serialise(extrasFirst ? [...extras, ...own] : [...own, ...extras]);
    });
  const notAnObject = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.constantFrom('', '{', '{"email":', 'nul', '[]', '"x"', '0', '{}{}', '\u0000', '{"a":1,}'),
    fc.string({ maxLength: 30 }),
  );
  return fc.oneof({ weight: 8, arbitrary: object }, { weight: 2, arbitrary: notAnObject });
}
