// A small ChestMNIST-shaped NPZ for the end-to-end tests (no data can be downloaded here): MedMNIST's keys and
// layouts — `train_images`/`val_images`/`test_images` uint8 N×28×28 (no channel axis), `*_labels` uint8 N×14 of
// 0/1 — with findings that a small network can learn in an epoch or two: finding k brightens cell k of a 4×4
// grid over a noisy "chest", and the findings are imbalanced (the first common, the last rare), as real ones are.
// Written as NumPy's .npy files in an uncompressed ZIP, as `numpy.savez` does.

import { crc32 } from 'node:zlib';

export const FINDINGS = 14;
const SIDE = 28;

/** A seeded generator (mulberry32), so every run writes the same file. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One split: n images and their n×14 findings. */
function split(n, seed) {
  const r = rng(seed);
  const images = new Uint8Array(n * SIDE * SIDE);
  const labels = new Uint8Array(n * FINDINGS);
  for (let i = 0; i < n; i++) {
    const img = images.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
    for (let p = 0; p < img.length; p++) {
      const y = Math.floor(p / SIDE);
      const x = p % SIDE;
      const lung = Math.hypot((x - 8.5) / 5, (y - 14) / 9) < 1 || Math.hypot((x - 19.5) / 5, (y - 14) / 9) < 1;
      img[p] = Math.round((lung ? 70 : 150) + 40 * (r() - 0.5));
    }
    for (let k = 0; k < FINDINGS; k++) {
      // Prevalence from 35% down to 3%.
      const present = r() < 0.35 - (0.32 * k) / (FINDINGS - 1);
      labels[i * FINDINGS + k] = present ? 1 : 0;
      if (!present) continue;
      const cy = 1 + 7 * Math.floor(k / 4);
      const cx = 1 + 7 * (k % 4);
      for (let y = cy; y < cy + 5; y++) for (let x = cx; x < cx + 5; x++) img[y * SIDE + x] = Math.min(255, img[y * SIDE + x] + 90);
    }
  }
  return { images, labels };
}

/** A .npy file (format 1.0) of uint8 data. */
function npy(data, shape) {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${dims}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** An uncompressed ZIP of the entries. */
function zip(entries) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const n = Buffer.from(name, 'utf8');
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    parts.push(local, n, data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, n);
    offset += 30 + n.length + data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}

/** The NPZ's bytes: `train` / `val` / `test` samples of each split. */
export function chestMnistNpz({ train = 800, val = 200, test = 200, seed = 9 } = {}) {
  const entries = [];
  for (const [key, n, s] of [['train', train, seed], ['val', val, seed + 1], ['test', test, seed + 2]]) {
    const { images, labels } = split(n, s);
    entries.push([`${key}_images.npy`, npy(images, [n, SIDE, SIDE])], [`${key}_labels.npy`, npy(labels, [n, FINDINGS])]);
  }
  return zip(entries);
}
