// The web host's inflate (fflate) against Node's zlib: whole streams, streams cut short (partial: the bytes
// recovered so far, as Z_SYNC_FLUSH gives them), the output limit, damaged data; and what it says of the machine.

import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MemoryFiles } from '../../../src/platform/memory';
import { nodeHost } from '../../../src/platform/node';
import { webHost } from '../../../src/platform/webHost';

const web = webHost(new MemoryFiles(), { cwd: '/ws', totalMemoryBytes: 123_456_789, cpus: 3 });

function sample(n: number): Uint8Array {
  // Compressible but not trivial: runs, a ramp and noise.
  let s = 12345;
  return new Uint8Array(n).map((_, i) => (i % 1000 < 300 ? 7 : i % 1000 < 600 ? i & 255 : ((s = (s * 1103515245 + 12345) >>> 0) >>> 24)));
}

describe('webHost', () => {
  const data = sample(300_000);
  const gz = zlib.gzipSync(data);
  const raw = zlib.deflateRawSync(data);

  it('gunzips and inflates as zlib does', () => {
    expect(Buffer.from(web.gunzip(gz)).equals(Buffer.from(data))).toBe(true);
    expect(Buffer.from(web.inflateRaw(raw)).equals(Buffer.from(data))).toBe(true);
    expect(web.gunzip(zlib.gzipSync(new Uint8Array(0))).length).toBe(0);
    // Two gzip members one after the other, as `cat a.gz b.gz` makes.
    const two = Buffer.concat([zlib.gzipSync(Buffer.from('ab')), zlib.gzipSync(Buffer.from('cd'))]);
    expect(new TextDecoder().decode(web.gunzip(two))).toBe(zlib.gunzipSync(two).toString());
  });

  it('gives what a cut-off stream holds with partial, as Node with Z_SYNC_FLUSH does, and fails without it', () => {
    for (const [stream, node, webInflate] of [
      [gz, (d: Uint8Array) => zlib.gunzipSync(d, { finishFlush: zlib.constants.Z_SYNC_FLUSH }), web.gunzip],
      [raw, (d: Uint8Array) => zlib.inflateRawSync(d, { finishFlush: zlib.constants.Z_SYNC_FLUSH }), web.inflateRaw],
    ] as const) {
      for (const cut of [40, 200, 1000, Math.floor(stream.length / 2), stream.length - 5]) {
        const part = stream.subarray(0, cut);
        const expected = node(part);
        const got = webInflate(part, { partial: true });
        expect(got.length, `cut at ${cut}`).toBe(expected.length);
        expect(Buffer.from(got).equals(expected)).toBe(true);
        expect(() => webInflate(part)).toThrow();
      }
    }
    // The node host gives the same with the same options.
    expect(nodeHost.gunzip(gz.subarray(0, 1000), { partial: true }).length).toBe(web.gunzip(gz.subarray(0, 1000), { partial: true }).length);
  });

  it('refuses output beyond maxOutputLength with Node’s code, and says so for data that is not deflate', () => {
    for (const h of [web, nodeHost]) {
      let code: string | undefined;
      try {
        h.gunzip(gz, { maxOutputLength: 1000 });
      } catch (e) {
        code = (e as { code?: string }).code;
      }
      expect(code).toBe('ERR_BUFFER_TOO_LARGE');
      expect(() => h.gunzip(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toThrow();
    }
    expect(web.gunzip(gz, { maxOutputLength: data.length }).length).toBe(data.length);
  });

  it('is a browser host: its paths are POSIX from its folder, its hash and figures as given', () => {
    expect(web.kind).toBe('web');
    expect(web.path.resolve('nets/a.cnn')).toBe('/ws/nets/a.cnn');
    expect(web.sha256Hex('abc')).toBe(nodeHost.sha256Hex('abc'));
    expect([web.cpus(), web.totalMemoryBytes(), web.hostname(), web.pid()]).toEqual([3, 123_456_789, 'browser', 1]);
    expect(web.processAlive(1)).toBe(true);
    expect(web.processAlive(4242)).toBe(false);
  });
});
