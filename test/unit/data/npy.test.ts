import { describe, expect, it } from 'vitest';
import { parseNpyHeader, readNpy, writeNpy, type NpyDtype } from '../../../src/data/npy';

/** A .npy with a hand-written header (any version), for formats writeNpy does not produce. */
function handNpy(major: number, dict: string, data: Uint8Array): Buffer {
  const pre = major === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(total - pre - dict.length - 1) + '\n';
  const out = Buffer.alloc(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  if (major === 1) out.writeUInt16LE(header.length, 8);
  else out.writeUInt32LE(header.length, 8);
  out.write(header, pre, 'utf8');
  out.set(data, total);
  return out;
}

describe('.npy reader and writer', () => {
  const cases: [NpyDtype, ArrayLike<number>][] = [
    ['u1', [0, 1, 255, 7, 8, 9]],
    ['i1', [-128, -1, 0, 1, 127, 5]],
    ['i2', [-32768, -2, 0, 3, 32767, 1]],
    ['u2', [0, 65535, 1, 2, 3, 4]],
    ['i4', [-2147483648, -1, 0, 1, 2147483647, 9]],
    ['u4', [0, 4294967295, 1, 2, 3, 4]],
    ['i8', [-5, -1, 0, 1, 2 ** 40, 3]],
    ['u8', [0, 1, 2, 3, 2 ** 50, 5]],
    ['f4', [0.5, -1.25, 3, 1e-3, 100, -0]],
    ['f8', [Math.PI, -Math.E, 1e300, 1e-300, 0, 2]],
  ];
  for (const [dtype, values] of cases) {
    it(`round-trips ${dtype}`, () => {
      const buf = writeNpy(values, [2, 3], dtype);
      expect(parseNpyHeader(buf).dataOffset % 64).toBe(0);
      const a = readNpy(buf);
      expect(a.dtype).toBe(dtype);
      expect(a.shape).toEqual([2, 3]);
      const got = Array.from(a.data as ArrayLike<number | bigint>, (v) => Number(v));
      if (dtype === 'f4') expect(got).toEqual(Array.from(Float32Array.from(values)));
      else expect(got).toEqual(Array.from(values));
    });
  }

  it('infers the dtype from a typed array and writes 1-d shapes as (n,)', () => {
    const buf = writeNpy(new Float32Array([1, 2, 3]), [3]);
    expect(Buffer.from(buf).toString('latin1', 10, 80)).toContain("'descr': '<f4', 'fortran_order': False, 'shape': (3,)");
    expect(parseNpyHeader(buf).dataOffset % 64).toBe(0);
    expect(Array.from(readNpy(buf).data as Float32Array)).toEqual([1, 2, 3]);
  });

  it('reads version 2 and 3 headers, scalars, bool and float16', () => {
    const v2 = handNpy(2, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", Uint8Array.of(1, 2, 3, 4));
    expect(readNpy(v2).shape).toEqual([2, 2]);
    const v3 = handNpy(3, "{'descr': '<i2', 'fortran_order': False, 'shape': (), }", Uint8Array.of(0xfe, 0xff));
    const s = readNpy(v3);
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data as Int16Array)).toEqual([-2]);
    const b = readNpy(handNpy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", Uint8Array.of(1, 0, 1)));
    expect(Array.from(b.data as Uint8Array)).toEqual([1, 0, 1]);
    // float16: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800
    const f2 = readNpy(handNpy(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", Uint8Array.of(0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38)));
    expect(Array.from(f2.data as Float32Array)).toEqual([1, -2, 0.5]);
    // Keys in another order and a trailing-comma-free dict are fine too.
    const odd = readNpy(handNpy(1, "{'shape': (1, 2), 'fortran_order': False, 'descr': '<u2'}", Uint8Array.of(1, 0, 2, 0)));
    expect(Array.from(odd.data as Uint16Array)).toEqual([1, 2]);
  });

  it('rejects Fortran order, big-endian, structured dtypes, bad magic and truncation with messages', () => {
    const fortran = handNpy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", new Uint8Array(4));
    expect(() => readNpy(fortran, 'x.npy')).toThrow(/x\.npy is stored in Fortran order; save it in C order/);
    const big = handNpy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4));
    expect(() => readNpy(big, 'x.npy')).toThrow(/big-endian/);
    const structured = handNpy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4));
    expect(() => readNpy(structured, 'x.npy')).toThrow(/structured arrays are not supported|unreadable header/);
    const complex = handNpy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8));
    expect(() => readNpy(complex, 'x.npy')).toThrow(/dtype '<c8'/);
    expect(() => readNpy(Buffer.from('PK\u0003\u0004 not npy at all'), 'x.npy')).toThrow(/x\.npy is not a \.npy array/);
    const full = writeNpy(new Float32Array(100), [10, 10]);
    expect(() => readNpy(full.subarray(0, full.length - 10), 'x.npy')).toThrow('x.npy is truncated: header says 10×10 of f4 = 400 bytes, found 390.');
    expect(() => readNpy(full.subarray(0, 30), 'x.npy')).toThrow(/truncated inside its header/);
  });

  it('a damaged header is quoted on one line: control characters escaped, padding collapsed, the length capped', () => {
    const valid = writeNpy(new Float32Array(4).fill(0.5), [2, 2]);
    // A header length that runs into the data: the header text now holds line breaks and binary.
    const damaged = Buffer.from(valid);
    damaged.writeUInt16LE(valid.length - 10, 8);
    damaged[20] = 0x2c; // breaks the dict, so the text is quoted
    let message = '';
    try {
      readNpy(damaged, 'x.npy');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^x\.npy has (an unreadable header|a header without)/);
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(message).toContain('\\u000a');
    expect(message).not.toMatch(/ {2}/);
    const bidi = handNpy(3, "{'descr': '<f4\u202e', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4));
    expect(() => readNpy(bidi, 'x.npy')).toThrow("x.npy has dtype '<f4\\u202e', which is not a plain number type");
  });

  it('parses the header alone from a prefix', () => {
    const buf = writeNpy(new Uint8Array(6 * 5 * 4 * 3), [6, 5, 4, 3]);
    const h = parseNpyHeader(buf.subarray(0, 128));
    expect(h).toMatchObject({ dtype: 'u1', shape: [6, 5, 4, 3], fortranOrder: false, dataOffset: 128, dataBytes: 360 });
  });

  it('refuses a shape that does not match the array', () => {
    expect(() => writeNpy(new Float32Array(5), [2, 3])).toThrow(/holds 6 values but the array has 5/);
  });
});
