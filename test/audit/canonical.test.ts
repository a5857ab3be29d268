// RFC 8785 canonical JSON: the RFC's own examples, the I-JSON limits, and the strict line check the
// journal verifier relies on (duplicate keys and any non-canonical spelling are refused, with a reason).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalizeError, canonicalize, findDuplicateKey, parseCanonicalLine } from '../../src/main/audit/canonical.js';

function double(hexBits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hexBits}`));
  return view.getFloat64(0);
}

describe('canonicalize (RFC 8785)', () => {
  // RFC 8785 Appendix B: IEEE 754 bit patterns and their JCS serialisation.
  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('number %s serialises as %s', (bits, expected) => {
    expect(canonicalize(double(bits))).toBe(expected);
  });

  it.each([['7fffffffffffffff'], ['7ff0000000000000'], ['fff0000000000000']])('number %s (NaN or Infinity) has no form and is refused', (bits) => {
    expect(() => canonicalize(double(bits))).toThrow(CanonicalizeError);
  });

  it('RFC 8785 §3.2.2.2 string example: only the required escapes, lowercase hex', () => {
    const input = JSON.parse('"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/"') as string;
    expect(canonicalize(input)).toBe('"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"');
  });

  it('RFC 8785 §3.2.3 sorting example: keys ordered by UTF-16 code units', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    );
    // Read the order off the text: a parsed JS object would list the integer-like key "1" first.
    const keys = [...canonicalize(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    expect(keys).toEqual(['\r', '1', '\u0080', 'ö', '€', '😀', '\ufb33']);
  });

  it('RFC 8785 §3.2.4 complete example', () => {
    const input = `{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
      "literals": [null, true, false]
    }`;
    expect(canonicalize(JSON.parse(input))).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts nested objects and keeps array order', () => {
    expect(canonicalize({ b: [3, { z: 1, a: 2 }], a: { d: null, c: true } })).toBe('{"a":{"c":true,"d":null},"b":[3,{"a":2,"z":1}]}');
  });

  it('leaves out undefined properties, as JSON.stringify does, and uses toJSON', () => {
    expect(canonicalize({ a: undefined, b: 1, at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z","b":1}');
  });

  it.each([
    ['a lone high surrogate', '\ud800x'],
    ['a lone low surrogate', 'x\udc00'],
    ['a bigint', 1n],
    ['a function', () => 1],
    ['undefined in an array', [1, undefined]],
    ['a Map', new Map()],
    ['a class instance', new (class Thing {})()],
    ['a key with a lone surrogate', { '\ud800': 1 }],
  ])('refuses %s, which has no I-JSON form', (_name, value) => {
    expect(() => canonicalize(value)).toThrow(CanonicalizeError);
  });

  it('refuses a cycle', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalize(a)).toThrow(/circular/);
  });

  it('is a fixed point: canonical text parses back to the same canonical text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalize(value);
        expect(canonicalize(JSON.parse(text))).toBe(text);
        expect(parseCanonicalLine(text)).toHaveProperty('value');
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseCanonicalLine', () => {
  it('accepts a canonical line and returns its value', () => {
    expect(parseCanonicalLine('{"a":[1,"x"],"b":{"c":null}}')).toEqual({ value: { a: [1, 'x'], b: { c: null } } });
  });

  it.each([
    ['whitespace', '{"a": 1}'],
    ['unsorted keys', '{"b":1,"a":2}'],
    ['a non-shortest number', '{"a":1.0}'],
    ['an exponent JCS would not write', '{"a":1E2}'],
    ['an unnecessary escape', '{"a":"\\u0041"}'],
    ['an escaped solidus', '{"a":"\\/"}'],
    ['uppercase hex in an escape', '{"a":"\\u001F"}'],
    ['a trailing newline', '{"a":1}\n'],
    ['an escaped lone surrogate', '{"a":"\\ud800"}'],
    ['negative zero', '{"a":-0}'],
  ])('refuses %s as non-canonical', (_name, line) => {
    const result = parseCanonicalLine(line);
    expect(result).toMatchObject({ error: 'non-canonical' });
  });

  it('says where the line departs from canonical form', () => {
    expect(parseCanonicalLine('{"a": 1}')).toEqual({ error: 'non-canonical', detail: 'differs from RFC 8785 form at character 6 (expected "1}")' });
  });

  it.each([
    ['at the top level', '{"a":1,"a":1}', 'a'],
    ['in a nested object', '{"a":{"x":1,"y":2,"x":3}}', 'x'],
    ['spelt differently (an escape)', '{"a":1,"\\u0061":2}', 'a'],
    ['inside an array of objects', '[{"k":1},{"k":2,"k":2}]', 'k'],
  ])('refuses a duplicate key %s', (_name, line, key) => {
    expect(parseCanonicalLine(line)).toEqual({ error: 'duplicate-key', detail: `duplicate key ${JSON.stringify(key)}` });
  });

  it('does not mistake repeated names in different objects, or in string values, for duplicates', () => {
    expect(findDuplicateKey('{"a":{"a":1},"b":[{"a":1},{"a":2}]}')).toBeNull();
    expect(findDuplicateKey('{"a":"{\\"a\\":1,\\"a\\":2}","b":["a","a"]}')).toBeNull();
    expect(findDuplicateKey('{"a\\"":1,"a":2}')).toBeNull();
  });

  it('finds a duplicate injected into any canonical object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), (object) => {
        const text = canonicalize(object);
        const [key] = Object.keys(object).sort();
        const member = `${JSON.stringify(key)}:${canonicalize(object[key as string])}`;
        const doubled = `{${member},${text.slice(1)}`;
        expect(parseCanonicalLine(doubled)).toMatchObject({ error: 'duplicate-key' });
      }),
      { numRuns: 200 },
    );
  });

  it('reports JSON that does not parse', () => {
    expect(parseCanonicalLine('{"a":')).toMatchObject({ error: 'json' });
    expect(parseCanonicalLine('')).toMatchObject({ error: 'json' });
  });

  it('takes bytes, refusing invalid UTF-8 and a byte-order mark rather than repairing them', () => {
    expect(parseCanonicalLine(Buffer.from('{"a":"é"}'))).toEqual({ value: { a: 'é' } });
    expect(parseCanonicalLine(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))).toEqual({ error: 'json', detail: 'not valid UTF-8' });
    expect(parseCanonicalLine(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]))).toMatchObject({ error: 'json' });
  });
});
