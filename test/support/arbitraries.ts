/**
 * fast-check arbitraries for ALB entries, shaped like real lines: the request types, addresses
 * (IPv4 and bracket-less IPv6), `-1` timings, `-` fields, escapes (`\x22`, `\x5C`, `\xHH`) and raw
 * spaces inside quotes, several-item lists, quoted and bare spellings of the same field.
 */
import fc from 'fast-check';
import { SPEC } from './albSpec.js';
import type { Address, EntrySpec, ExtraToken, FieldValue, Request } from './lineWriter.js';

export interface EntryOptions {
  /** Allow `\"` inside quoted text (our tokenizer keeps it; a plain CSV reader does not). */
  backslashQuote?: boolean;
  /** Smallest and largest field count (20…34). */
  minFields?: number;
  maxFields?: number;
}

const hex = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: min, maxLength: max });

const isoTime: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2030, 11, 31) }), fc.integer({ min: 0, max: 999 }))
  .map(([ms, micros]) => `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`);

const ipv4 = fc.ipV4();
const address: fc.Arbitrary<Address> = fc.oneof(
  fc.record({ ip: ipv4, port: fc.integer({ min: 0, max: 65535 }) }),
  // AWS writes IPv6 without brackets; split on the last colon.
  fc.record({ ip: fc.ipV6(), port: fc.integer({ min: 0, max: 65535 }) }),
  fc.record({ ip: fc.ipV6(), port: fc.integer({ min: 1, max: 65535 }), bracketed: fc.constant(true) }),
);

const seconds: fc.Arbitrary<string> = fc.oneof(
  fc.constant('-1'),
  fc.integer({ min: 0, max: 10_000 }).map((ms) => (ms / 1000).toFixed(3)),
  fc.integer({ min: 0, max: 4_000_000 }).map((ms) => (ms / 1000).toFixed(3)),
);

/** Printable ASCII without `"` and `\`, plus a few multi-byte characters. */
const plainChar = fc.oneof(
  { weight: 20, arbitrary: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 1 }).filter((c) => c !== '"' && c !== '\\') },
  { weight: 1, arbitrary: fc.constantFrom('é', 'ü', '日', '本', '🙂') },
);
const escape = fc.oneof(fc.constant('\\x22'), fc.constant('\\x5C'), fc.constant('\\x00000022'), hex(2, 2).map((h) => `\\x${h.toUpperCase()}`));

/** Text for a quoted field: raw spaces, escapes as AWS writes them, optionally `\"`. */
function quotedText(options: EntryOptions): fc.Arbitrary<string> {
  const units = [
    { weight: 12, arbitrary: plainChar },
    { weight: 1, arbitrary: escape },
    ...(options.backslashQuote ? [{ weight: 1, arbitrary: fc.constant('\\"') }] : []),
  ];
  return fc.array(fc.oneof(...units), { maxLength: 40 }).map((parts) => parts.join(''));
}

/** Text that can be written bare: no space, no quote, not empty. */
const bareText = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/._-=,*'), minLength: 1, maxLength: 40 });

const typeWord = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('http', 'https', 'h2', 'grpcs', 'ws', 'wss') },
  // Unknown lowercase words are accepted (domain.md §2: ignore unknown values).
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/) },
);

function request(options: EntryOptions): fc.Arbitrary<Request | null> {
  const verb = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', '--location', 'ZSDLKFJ2', '-');
  const proto = fc.constantFrom('HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0', '-');
  const url = fc.oneof(
    fc.tuple(fc.constantFrom('http', 'https'), fc.domain(), fc.integer({ min: 1, max: 65535 }), quotedText(options)).map(
      ([scheme, host, port, rest]) => `${scheme}://${host}:${port}/${rest}`,
    ),
    // The URI may hold raw spaces: split at the first and the last space.
    fc.tuple(fc.domain(), fc.array(fc.stringMatching(/^[a-z0-9/%]{1,8}$/), { minLength: 2, maxLength: 4 })).map(
      ([host, parts]) => `http://${host}:80/${parts.join(' ')}`,
    ),
    fc.constant('-'),
  );
  return fc.oneof(
    { weight: 8, arbitrary: fc.record({ verb, url, proto }) },
    // What AWS logs for a request it could not parse.
    { weight: 1, arbitrary: fc.constant<Request>({ verb: '-', url: '-', proto: '-' }) },
    { weight: 1, arbitrary: fc.domain().map<Request>((host) => ({ verb: '-', url: `http://${host}:80-`, proto: '-' })) },
    { weight: 1, arbitrary: fc.constant(null) },
  );
}

/** `arb` or null (written `-`), null about once in (1 + valueWeight) draws. */
const orNull = <T>(arb: fc.Arbitrary<T>, valueWeight = 4): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: valueWeight, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) });

const list = (item: fc.Arbitrary<string>) => fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => items.join(' '));

/** One value arbitrary per field, in SPEC order. */
function valueArbitraries(options: EntryOptions): fc.Arbitrary<FieldValue>[] {
  const text = quotedText(options);
  return SPEC.map((field): fc.Arbitrary<FieldValue> => {
    switch (field.name) {
      case 'type':
        return typeWord;
      case 'time':
        return isoTime;
      case 'elb':
        return fc.tuple(fc.stringMatching(/^[A-Za-z0-9-]{1,32}$/), hex(16, 16)).map(([name, id]) => `app/${name}/${id}`);
      case 'request_creation_time':
        return orNull(isoTime);
      case 'user_agent':
      case 'trace_id':
      case 'redirect_url':
      case 'transformed_host':
      case 'transformed_uri':
        return orNull(text);
      case 'target:port_list':
        return orNull(list(ipv4.chain((ip) => fc.integer({ min: 1, max: 65535 }).map((p) => `${ip}:${p}`))));
      case 'target_status_code_list':
        return orNull(list(fc.integer({ min: 100, max: 599 }).map(String)));
      case 'conn_trace_id':
        return orNull(hex(1, 32).map((h) => `TID_${h}`));
      case 'ip_address':
        return orNull(ipv4);
      case 'matched_rule_priority':
        return orNull(fc.integer({ min: -1, max: 50000 }));
      default:
    }
    switch (field.kind) {
      case 'address':
        return orNull(address);
      case 'seconds':
        return orNull(seconds, 20);
      case 'int':
        return field.name.endsWith('status_code')
          ? orNull(fc.integer({ min: 100, max: 599 }))
          : // Up to 15 digits (a petabyte per request); the parser rejects longer numbers.
          fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 999_999_999_999_999 }));
      case 'request':
        return request(options);
      default:
        // Other text fields: mostly bare-able words, sometimes anything.
        return orNull(fc.oneof({ weight: 3, arbitrary: bareText }, { weight: 1, arbitrary: text }));
    }
  });
}

/** A value may be written bare if it has no space and cannot be mistaken for a quoted token. */
const canBeBare = (text: string): boolean => text.length > 0 && !text.includes(' ') && !text.includes('"');

const extraToken: fc.Arbitrary<ExtraToken> = fc.oneof(
  fc.record({ text: bareText, quoted: fc.constant(false) }),
  fc.record({ text: fc.constantFrom('-', '', 'new value', 'TID_abc'), quoted: fc.constant(true) }),
  fc.constant({ text: '-', quoted: false }),
);

/**
 * A whole entry: a random layout (field count), each value, a random quoting of the text fields that
 * may be written either way (2016 lines wrote domain_name bare; fields 30 and 34 appear as `-` and
 * `"-"`), and for full-length lines a few trailing tokens AWS may add before documenting them.
 */
export function entryArbitrary(options: EntryOptions = {}): fc.Arbitrary<EntrySpec> {
  const minFields = options.minFields ?? 20;
  const maxFields = options.maxFields ?? SPEC.length;
  const values = valueArbitraries(options);
  return fc
    .tuple(
      fc.integer({ min: minFields, max: maxFields }),
      fc.tuple(...values),
      fc.array(fc.boolean(), { minLength: SPEC.length, maxLength: SPEC.length }),
      fc.array(extraToken, { maxLength: 4 }),
    )
    .map(([fieldCount, allValues, flips, extra]) => {
      const vals = allValues.slice(0, fieldCount) as FieldValue[];
      const quoted = vals.map((value, i) => {
        const spec = SPEC[i]!;
        if (spec.kind !== 'text') return undefined;
        const text = value === null ? '-' : (value as string);
        // A value with a space (or empty) must be quoted whatever the field's habit; otherwise flip
        // the usual quoting now and then.
        if (!canBeBare(text)) return true;
        return flips[i] ? !spec.quoted : spec.quoted;
      });
      return { values: vals, quoted, ...(fieldCount === SPEC.length && extra.length > 0 && { extra }) };
    });
}
