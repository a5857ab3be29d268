// The page reads an answer's envelope only (the host checked the answer against the contract before sending
// it): anything that is not { id, ok: true, result } or { id, ok: false, error: { code, message } } is dropped.
import { describe, expect, it } from 'vitest';
import { envelope } from '../../src/renderer/api/answer-envelope.js';

describe('the page reads answers by their envelope', () => {
  it('passes a result and an error through, with their id', () => {
    expect(envelope('{"id":3,"ok":true,"result":{"a":[1]}}')).toEqual({ id: 3, ok: true, result: { a: [1] } });
    expect(envelope('{"id":4,"ok":true}')).toEqual({ id: 4, ok: true, result: undefined });
    expect(envelope('{"id":5,"ok":false,"error":{"code":"invalid-input","message":"no"}}')).toEqual({ id: 5, ok: false, error: { code: 'invalid-input', message: 'no' } });
  });

  it('drops what is not an answer', () => {
    for (const data of ['not json', 'null', '[]', '"x"', '{"ok":true}', '{"id":"1","ok":true}', '{"id":1.5,"ok":true}', '{"id":1}', '{"id":1,"ok":"true"}', '{"id":1,"ok":false}', '{"id":1,"ok":false,"error":{"code":1,"message":"m"}}', '{"id":1,"ok":false,"error":null}']) {
      expect(envelope(data), data).toBeNull();
    }
  });

  it('keeps only the error code and message (nothing else the host might add)', () => {
    expect(envelope('{"id":1,"ok":false,"error":{"code":"c","message":"m","stack":"at …"}}')).toEqual({ id: 1, ok: false, error: { code: 'c', message: 'm' } });
  });
});
