// Draws media/icon.png (128×128): three stacked volumes shrinking left to right, the lecture's picture.
import { PNG } from 'pngjs';
import { writeFileSync } from 'node:fs';
const S = 128;
const png = new PNG({ width: S, height: S });
const set = (x, y, [r, g, b, a = 255]) => {
  if (x < 0 || y < 0 || x >= S || y >= S) return;
  const i = (y * S + x) * 4;
  png.data[i] = r; png.data[i + 1] = g; png.data[i + 2] = b; png.data[i + 3] = a;
};
for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) set(x, y, [0, 0, 0, 0]);
const rr = 22;
for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
  const dx = Math.max(0, Math.abs(x - 63.5) - (63.5 - rr)), dy = Math.max(0, Math.abs(y - 63.5) - (63.5 - rr));
  if (dx * dx + dy * dy <= rr * rr) set(x, y, [30, 41, 59]);
}
const box = (x0, y0, w, h, d, col) => {
  const [r, g, b] = col;
  for (let k = d; k >= 0; k--) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1;
    const shade = k === 0 ? 1 : 0.6;
    set(x0 + x + k, y0 + y - k, edge ? [255, 255, 255] : [r * shade | 0, g * shade | 0, b * shade | 0]);
  }
};
box(14, 34, 40, 62, 12, [56, 189, 248]);
box(62, 48, 26, 40, 18, [129, 140, 248]);
box(96, 58, 10, 22, 6, [244, 114, 182]);
writeFileSync(new URL('../media/icon.png', import.meta.url), PNG.sync.write(png));
