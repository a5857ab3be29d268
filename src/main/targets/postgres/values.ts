// Row values as JSON-friendly data. Results are recorded as evidence and shown in a UI, so a value must
// survive JSON.stringify unchanged: no Date objects (they lose microseconds and, for `timestamp` without
// a zone, get shifted by the client's time zone), no Buffers, no NaN. We parse the server's text format
// ourselves for those types and leave the rest to pg's own parsers.
import pg from 'pg';

type Parser = (text: string) => unknown;

const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  timetz: 1266,
  numeric: 1700,
  jsonb: 3802,
  textArray: 1009,
} as const;

/** Array type → element type, for arrays whose elements we convert ourselves. */
const ARRAY_ELEMENT: Record<number, number> = {
  1000: OID.bool,
  1001: OID.bytea,
  1005: OID.int2,
  1007: OID.int4,
  1016: OID.int8,
  1021: OID.float4,
  1022: OID.float8,
  1028: OID.oid,
  199: OID.json,
  1115: OID.timestamp,
  1182: OID.date,
  1183: OID.time,
  1185: OID.timestamptz,
  1187: OID.interval,
  1231: OID.numeric,
  1270: OID.timetz,
  3807: OID.jsonb,
};

const asText: Parser = (text) => text;

/**
 * "2024-05-01 12:34:56.123456+02" → "2024-05-01T12:34:56.123456+02:00" (ISO 8601, every digit kept).
 * Anything else (infinity, BC dates, a non-ISO DateStyle, offsets with seconds) stays as the server wrote it.
 */
export function isoTimestamp(text: string): string {
  const m = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:([+-]\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!m) return text;
  const [, date, time, offsetHours, offsetMinutes] = m;
  return `${date}T${time}${offsetHours ? `${offsetHours}:${offsetMinutes ?? '00'}` : ''}`;
}

function float(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) ? n : text; // NaN and ±Infinity are not JSON numbers
}

/** pg's parser registry, typed by plain OIDs (pg-types' TypeId enum lacks array types). */
const pgParser = pg.types.getTypeParser as (oid: number, format: 'text') => Parser;

const parseByteaToBuffer = pgParser(OID.bytea, 'text') as (text: string) => Buffer;
const bytea: Parser = (text) => `\\x${parseByteaToBuffer(text).toString('hex')}`; // also reads bytea_output=escape

const SCALAR: Record<number, Parser> = {
  [OID.bytea]: bytea,
  [OID.int8]: asText, // beyond 2^53: keep the exact digits
  [OID.numeric]: asText,
  [OID.float4]: float,
  [OID.float8]: float,
  [OID.date]: asText,
  [OID.time]: asText,
  [OID.timetz]: asText,
  [OID.timestamp]: isoTimestamp,
  [OID.timestamptz]: isoTimestamp,
  [OID.interval]: asText,
};

const parseTextArray = pgParser(OID.textArray, 'text');

function mapNested(value: unknown, parse: Parser): unknown {
  if (Array.isArray(value)) return value.map((v) => mapNested(v, parse));
  return typeof value === 'string' ? parse(value) : value; // null stays null
}

/** Last line of defence for types whose pg parser returns objects JSON cannot carry faithfully. */
export function jsonFriendly(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return value.map(jsonFriendly);
  return value;
}

const cache = new Map<number, Parser>();

/** The parser for a column of type `oid` in text format. */
export function parserFor(oid: number): Parser {
  let parser = cache.get(oid);
  if (parser) return parser;
  const scalar = SCALAR[oid];
  const element = ARRAY_ELEMENT[oid];
  if (scalar) parser = scalar;
  else if (element !== undefined) {
    const parseElement = parserFor(element);
    parser = (text) => mapNested(parseTextArray(text), parseElement);
  } else {
    const base = pgParser(oid, 'text');
    parser = (text) => jsonFriendly(base(text));
  }
  cache.set(oid, parser);
  return parser;
}

/** Bind parameters go as text: the server parses them by the type the statement needs. */
export function paramText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return JSON.stringify(value);
}
