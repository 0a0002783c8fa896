// Image folders: DIR/<class>/<image>.png|.jpg, one sub-folder per class, class names = sorted sub-folder names.
// Opening lists the files and sniffs each one's first bytes (cheap); pixels are decoded lazily on read and
// kept in a small LRU cache of converted samples, so a large folder streams from disk.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkIndex, DataError, fmt, Lru, type Dataset } from './dataset';
import { decodeImage, rgbaToTensor, sniffSize, type ImageFormat } from './image';

export interface FolderFile {
  path: string;
  label: number;
  format: ImageFormat;
  width: number;
  height: number;
  color: boolean;
}

export interface FolderListing {
  dir: string;
  classNames: string[];
  files: FolderFile[];
  perClass: number[];
  warnings: string[];
}

/** Bytes read from the start of each file to check it is an image and find its size (JPEG SOF may lie a bit in). */
const SNIFF_BYTES = 64 * 1024;

/** Sorting that does not depend on the locale: plain code-unit order. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function readHead(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = fs.readSync(fd, buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Lists the class folders and their images; odd files become warnings, structural problems errors. */
export function listFolder(dir: string): FolderListing {
  let entries: fs.Dirent[];
  try {
    if (!fs.statSync(dir).isDirectory()) throw new DataError(`'${dir}' is a file, but 'data folder' needs a folder with one sub-folder of images per class.`);
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`The folder '${dir}' does not exist or cannot be read (paths are relative to the .cnn file).`);
  }
  const warnings: string[] = [];
  const classDirs: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) isDir = fs.statSync(full, { throwIfNoEntry: false })?.isDirectory() ?? false;
    if (isDir) classDirs.push(e.name);
    else warnings.push(`skipped ${e.name}: files directly in the data folder are ignored (put images in one sub-folder per class)`);
  }
  classDirs.sort(byCodeUnit);
  if (classDirs.length < 2) {
    throw new DataError(
      `'${dir}' has ${classDirs.length === 0 ? 'no class sub-folders' : `only one class sub-folder (${classDirs[0]})`}; 'data folder' needs one sub-folder of images per class, at least two.`,
    );
  }
  const files: FolderFile[] = [];
  const perClass: number[] = [];
  classDirs.forEach((cls, label) => {
    const cdir = path.join(dir, cls);
    const names = fs.readdirSync(cdir).sort(byCodeUnit);
    let count = 0;
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const full = path.join(cdir, name);
      const rel = `${cls}/${name}`;
      let head: Buffer;
      try {
        if (!fs.statSync(full).isFile()) {
          warnings.push(`skipped ${rel}: not a file (nested folders are not read)`);
          continue;
        }
        head = readHead(full);
      } catch (err) {
        warnings.push(`skipped ${rel}: cannot be read (${(err as Error).message})`);
        continue;
      }
      const info = sniffSize(head);
      if (!info) {
        warnings.push(`skipped ${rel}: not a PNG or JPEG image`);
        continue;
      }
      if (info.width === 0 || info.height === 0) {
        warnings.push(`skipped ${rel}: the image has no pixels (${info.width}×${info.height})`);
        continue;
      }
      files.push({ path: full, label, ...info });
      count++;
    }
    if (count === 0) throw new DataError(`The class folder '${cls}' in '${dir}' holds no PNG or JPEG images; add some or remove the folder.`);
    perClass.push(count);
  });
  return { dir, classNames: classDirs, files, perClass, warnings };
}

/** Default memory for cached decoded samples: 64 MB of float32. */
export const FOLDER_CACHE_BYTES = 64 * 1024 * 1024;

export class FolderDataset implements Dataset {
  readonly size: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  private readonly cache: Lru;
  private readonly sampleValues: number;

  constructor(
    private readonly files: readonly FolderFile[],
    classNames: readonly string[],
    readonly height: number,
    readonly width: number,
    readonly channels: number,
    /** Collects a line for each image that fails to decode on read (the sample reads as zeros). */
    readonly warnings: string[],
    cacheBytes = FOLDER_CACHE_BYTES,
  ) {
    this.size = files.length;
    this.classNames = classNames;
    this.numClasses = classNames.length;
    this.sampleValues = height * width * channels;
    this.cache = new Lru(Math.floor(cacheBytes / (4 * this.sampleValues)));
  }

  read(i: number, out: Float32Array, offset: number): void {
    checkIndex(i, this.size);
    const hit = this.cache.get(i);
    if (hit) {
      out.set(hit, offset);
      return;
    }
    const f = this.files[i];
    const sample = new Float32Array(this.sampleValues);
    try {
      const img = decodeImage(fs.readFileSync(f.path));
      rgbaToTensor(img, this.height, this.width, this.channels, sample, 0);
    } catch (err) {
      this.warnings.push(`${path.relative(path.dirname(path.dirname(f.path)), f.path)} could not be decoded (${(err as Error).message}); it reads as a blank image`);
    }
    this.cache.set(i, sample);
    out.set(sample, offset);
  }

  label(i: number): number {
    checkIndex(i, this.size);
    return this.files[i].label;
  }
}

/** "door 120, sign 98, stair 131". */
export function describeCounts(l: FolderListing): string {
  return l.classNames.map((c, k) => `${c} ${fmt(l.perClass[k])}`).join(', ');
}
