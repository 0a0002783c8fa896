// The PNG codec without Node (src/data/png.ts) against pngjs, whose results the data readers gave until now:
// the same RGBA for every colour type and bit depth Pillow writes, through Node's zlib and through the web
// host's fflate, and its own PNGs read back by pngjs.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePng, encodePng } from '../../../src/data/png';
import { installHost } from '../../../src/platform/host';
import { MemoryFiles } from '../../../src/platform/memory';
import { nodeHost } from '../../../src/platform/node';
import { webHost } from '../../../src/platform/webHost';

const dir = join(__dirname, '../../fixtures/data/png');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.png'));

afterEach(() => installHost(nodeHost));

function pngjs(bytes: Uint8Array): { width: number; height: number; data: number[]; color: boolean } {
  const p = PNG.sync.read(Buffer.from(bytes));
  return { width: p.width, height: p.height, data: Array.from(p.data), color: (p as unknown as { color: boolean }).color };
}

const ours = (bytes: Uint8Array) => {
  const d = decodePng(bytes);
  return { width: d.width, height: d.height, data: Array.from(d.data), color: d.color };
};

describe('PNG codec', () => {
  it('has the fixtures (Pillow: gray 1/8/16-bit, gray+alpha, RGB, RGBA, palettes of 2 and 4 bits, tRNS keys; Adam7 by hand)', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(14);
    expect(fixtures).toContain('rgb8-interlaced.png');
  });

  for (const host of ['node', 'web'] as const) {
    it.each(fixtures)(`decodes %s as pngjs does (${host} host)`, (f) => {
      if (host === 'web') installHost(webHost(new MemoryFiles()));
      const bytes = new Uint8Array(readFileSync(join(dir, f)));
      expect(ours(bytes)).toEqual(pngjs(bytes));
    });
  }

  it.each([
    [0, 16],
    [2, 16],
    [4, 16],
    [6, 16],
    [2, 8],
  ])('decodes pngjs\'s colour type %i at %i bits as pngjs does', (colorType, bitDepth) => {
    const w = 7;
    const h = 5;
    const src = new PNG({ width: w, height: h, colorType: colorType as 0 | 2 | 4 | 6, bitDepth: bitDepth as 8 | 16, inputColorType: 6, inputHasAlpha: true });
    for (let i = 0; i < w * h * 4; i++) src.data[i] = (i * 37 + 11) & 255;
    const bytes = new Uint8Array(PNG.sync.write(src, { colorType: colorType as 0 | 2 | 4 | 6, bitDepth: bitDepth as 8 | 16, inputColorType: 6, inputHasAlpha: true }));
    expect(ours(bytes)).toEqual(pngjs(bytes));
  });

  for (const which of ['node', 'web'] as const) {
    it(`encodes RGBA that pngjs reads back exactly, compressed (the ${which} host's deflate)`, () => {
      if (which === 'web') installHost(webHost(new MemoryFiles()));
      const w = 200;
      const h = 120;
      const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 7 + (i >> 9)) & 255);
      const png = encodePng(w, h, rgba);
      const back = pngjs(png);
      expect([back.width, back.height, back.color]).toEqual([w, h, true]);
      expect(back.data).toEqual(Array.from(rgba));
      // A map with large flat areas (an explanation overlay, a shapes preview) compresses well.
      const flat = new Uint8Array(w * h * 4).map((_, i) => (i % 4 === 3 ? 255 : (i >> 12) & 255));
      const small = encodePng(w, h, flat);
      expect(pngjs(small).data).toEqual(Array.from(flat));
      expect(small.length).toBeLessThan(flat.length / 20);
    });
  }

  it('refuses damaged files with a reason', () => {
    const bytes = new Uint8Array(readFileSync(join(dir, 'rgb8.png')));
    expect(() => decodePng(bytes.subarray(0, 60))).toThrow(/ends early|unexpected end/);
    const bad = bytes.slice();
    bad[40] ^= 0xff;
    expect(() => decodePng(bad)).toThrow(/checksum/);
    // A chunk type damaged into control characters: the message names the chunk by where it starts.
    const typo = bytes.slice();
    typo[12 + 1] = 0x01;
    expect(() => decodePng(typo)).toThrow("the chunk at byte 8's checksum is wrong");
    const good = bytes.slice();
    good[12 + 8] ^= 0xff;
    expect(() => decodePng(good)).toThrow("the IHDR chunk's checksum is wrong");
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow(/not a PNG/);
  });
});
