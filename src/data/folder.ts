// Image folders: DIR/<class>/<image>.png|.jpg|.dcm, one sub-folder per class, class names = sorted sub-folder
// names. A file is DICOM when its name ends in .dcm or it has DICOM's 'DICM' marker (decoded in dicom.ts), else
// it must be a PNG or JPEG (image.ts). Listing (the checker's probe) reads each file's first bytes only (a DICOM
// header longer than that is read whole); files that are not images (a text file) are skipped with a warning
// that says why, and a class folder left with none is an error. A DICOM file that cannot be used (compressed,
// no pixel data, 0 bytes, several frames, cut short, not DICOM despite its .dcm name) is never skipped: the
// listing refuses the folder with one E040 that counts them and names the first few (a scan silently left out
// of a medical data set is worse than a stop; folderCheck.ts shows it in the checker). Before training,
// `decodeFolder` decodes every image once: undecodable ones are dropped with one warning that counts them (never
// trained on as blank images), and the converted samples fill the dataset's LRU cache, so a folder that fits in
// it is decoded exactly once; larger folders decode again lazily on read.
//
// Symbolic links: a link to a folder (at the top) or to a file (in a class folder) is followed, wherever it
// points; only one level of class folders is read, so nothing recurses. A broken link, a link loop and a
// folder link back to the data folder or above it are skipped with a warning. Names in warnings go through
// printable(): a file name with a line break or an escape sequence does not reach the terminal raw.

import { host } from '../platform/host';
import { byCodeUnit } from '../language/classNames';
import { classFolders, errCode, followLink } from './classFolders';
import { checkIndex, DataError, fmt, Lru, printable, type Dataset } from './dataset';
import { dicomInfo, dicomToTensor, looksLikeDicom } from './dicom';
import { decodeImage, rgbaToTensor, sniffSize, type ImageFormat } from './image';

export interface FolderFile {
  path: string;
  label: number;
  format: ImageFormat | 'dicom';
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

function readHead(file: string): Uint8Array {
  return host().files.readRange(file, 0, SNIFF_BYTES);
}

type Sniffed = { format: ImageFormat | 'dicom'; width: number; height: number; color: boolean };

/**
 * What a class folder's file of `size` bytes is, from its name and first bytes (`head` shorter than
 * SNIFF_BYTES is the whole file): its format and size; why it is skipped, worded to follow the file's name
 * (": not a PNG…"); or, for a DICOM file that cannot be used, why not, worded the same way ("has no pixel data…").
 */
function sniffFile(full: string, name: string, head: Uint8Array, size: number): Sniffed | { why: string } | { unusable: string } {
  if (!looksLikeDicom(name, head)) {
    const image = sniffSize(head);
    if (!image) return { why: ': not a PNG, JPEG or DICOM image' };
    return image.width === 0 || image.height === 0 ? { why: `: the image has no pixels (${image.width}×${image.height})` } : image;
  }
  try {
    const info = dicomInfo(head, head.length < SNIFF_BYTES, size) ?? dicomInfo(host().files.readFile(full), true)!;
    return { format: 'dicom', ...info };
  } catch (err) {
    // The header's text (a transfer syntax, a photometric interpretation) comes from the file: printable.
    return err instanceof DataError ? { unusable: printable(err.message, 600) } : { why: `: cannot be read (${errCode(err)})` };
  }
}

/** Files named in a message that counts problems (undecodable images, unusable DICOMs); the rest are counted. */
const NAMED_FAILURES = 5;

/** The refusal of a folder for its unusable DICOM files (the checker looks for this one). */
export class DicomRefusal extends DataError {}

/** The one refusal for a folder's unusable DICOM files: `bad` holds "class/file reason" in listing order. */
function dicomRefusal(dir: string, bad: string[]): DataError {
  const named = bad.slice(0, NAMED_FAILURES);
  const more = bad.length - named.length;
  const one = bad.length === 1;
  return new DicomRefusal(
    `${fmt(bad.length)} DICOM file${one ? '' : 's'} in '${dir}' cannot be used: ${named.join('; ')}${more > 0 ? `; and ${fmt(more)} more` : ''}. Fix or remove ${one ? 'it' : 'them'} (unlike PNG and JPEG images, a DICOM file that cannot be used is not skipped).`,
  );
}

/** PNG and JPEG names, which the checker's DICOM look (`dicomOnly`) counts without reading. */
const IMAGE_NAME = /\.(png|jpe?g)$/i;

/**
 * Lists the class folders and their images; odd files become warnings, structural problems and unusable DICOM
 * files errors. `dicomOnly` (the checker's look): files named .png, .jpg or .jpeg are counted unread.
 */
export function listFolder(dir: string, dicomOnly = false): FolderListing {
  const { files: fs, path } = host();
  const { names: classDirs, warnings } = classFolders(dir);
  if (classDirs.length < 2) {
    throw new DataError(
      `'${dir}' has ${classDirs.length === 0 ? 'no class sub-folders' : `only one class sub-folder (${classDirs[0]})`}; 'data folder' needs one sub-folder of images per class, at least two.`,
    );
  }
  const files: FolderFile[] = [];
  const perClass: number[] = [];
  const unusable: string[] = [];
  classDirs.forEach((cls, label) => {
    const cdir = path.join(dir, cls);
    let names: string[];
    try {
      names = fs.readDir(cdir).map((e) => e.name).sort(byCodeUnit);
    } catch (err) {
      throw new DataError(`The class folder '${cls}' in '${dir}' cannot be read (${errCode(err)}).`);
    }
    let count = 0;
    const unusableBefore = unusable.length;
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const full = path.join(cdir, name);
      if (dicomOnly && IMAGE_NAME.test(name)) {
        count++;
        continue;
      }
      const rel = printable(`${cls}/${name}`, 200);
      let head: Uint8Array;
      let size: number;
      try {
        const target = followLink(full);
        if (typeof target === 'string') {
          warnings.push(`skipped ${rel}: ${target}`);
          continue;
        }
        if (target.kind !== 'file') {
          warnings.push(`skipped ${rel}: not a file (nested folders are not read)`);
          continue;
        }
        head = readHead(full);
        size = target.size;
      } catch (err) {
        warnings.push(`skipped ${rel}: cannot be read (${errCode(err)})`);
        continue;
      }
      const info = sniffFile(full, name, head, size);
      if ('unusable' in info) {
        unusable.push(`${rel} ${info.unusable}`);
        continue;
      }
      if ('why' in info) {
        warnings.push(`skipped ${rel}${info.why}`);
        continue;
      }
      files.push({ path: full, label, ...info });
      count++;
    }
    // A class emptied by unusable DICOMs: the refusal below says why.
    if (count === 0 && unusable.length === unusableBefore) {
      throw new DataError(`The class folder '${cls}' in '${dir}' holds no PNG, JPEG or DICOM images; add some or remove the folder.`);
    }
    perClass.push(count);
  });
  if (unusable.length) throw dicomRefusal(dir, unusable);
  return { dir, classNames: classDirs, files, perClass, warnings };
}

/** Default memory for cached decoded samples: 64 MB of float32. */
export const FOLDER_CACHE_BYTES = 64 * 1024 * 1024;

function relName(f: FolderFile): string {
  const { path } = host();
  return printable(path.relative(path.dirname(path.dirname(f.path)), f.path), 200);
}

/** Decodes one file to the model's input (H×W×C in [0, 1]); throws DataError when it cannot be read or decoded. */
function decodeSample(f: FolderFile, h: number, w: number, c: number, out: Float32Array): void {
  let bytes: Uint8Array;
  try {
    bytes = host().files.readFile(f.path);
  } catch (err) {
    throw new DataError(`cannot be read (${errCode(err)})`);
  }
  try {
    if (f.format === 'dicom') dicomToTensor(bytes, h, w, c, out, 0);
    else rgbaToTensor(decodeImage(bytes), h, w, c, out, 0);
  } catch (err) {
    if (err instanceof DataError) throw err;
    // Out of memory for a huge image and the like: still this file's problem, not the program's.
    throw new DataError(`cannot be decoded (${(err as Error)?.message ?? String(err)})`);
  }
}

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
    cacheBytes = FOLDER_CACHE_BYTES,
  ) {
    this.size = files.length;
    this.classNames = classNames;
    this.numClasses = classNames.length;
    this.sampleValues = height * width * channels;
    this.cache = new Lru(Math.floor(cacheBytes / (4 * this.sampleValues)));
  }

  /** Room in the cache, in samples. */
  get cacheCapacity(): number {
    return this.cache.capacity;
  }

  /** Puts an already converted sample in the cache (the decode pass before training). */
  prime(i: number, sample: Float32Array): void {
    checkIndex(i, this.size);
    this.cache.set(i, sample);
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
      decodeSample(f, this.height, this.width, this.channels, sample);
    } catch (err) {
      // It decoded when training started: the file changed since. Never train on a blank stand-in.
      throw new DataError(`${relName(f)} ${(err as Error).message}; it was readable when training started (did it change?)`);
    }
    this.cache.set(i, sample);
    out.set(sample, offset);
  }

  label(i: number): number {
    checkIndex(i, this.size);
    return this.files[i].label;
  }
}

/**
 * Decodes every image of a listing once, before training: returns the dataset of the images that decode
 * (their converted samples primed into its cache while there is room) and a warning that counts and names
 * the ones that do not. Throws DataError when a class is left with no image at all.
 */
export function decodeFolder(listing: FolderListing, h: number, w: number, c: number, cacheBytes = FOLDER_CACHE_BYTES): { dataset: FolderDataset; warnings: string[] } {
  const kept: FolderFile[] = [];
  const samples: Float32Array[] = [];
  const failed: { file: FolderFile; reason: string }[] = [];
  const perClass = new Array<number>(listing.classNames.length).fill(0);
  const room = Math.floor(cacheBytes / (4 * h * w * c));
  for (const f of listing.files) {
    const sample = new Float32Array(h * w * c);
    try {
      decodeSample(f, h, w, c, sample);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      failed.push({ file: f, reason: err.message });
      continue;
    }
    if (kept.length < room) samples.push(sample);
    kept.push(f);
    perClass[f.label]++;
  }
  const warnings: string[] = [];
  if (failed.length) {
    const named = failed.slice(0, NAMED_FAILURES).map((x) => `${relName(x.file)} ${x.reason}`);
    const more = failed.length - named.length;
    warnings.push(
      `skipped ${fmt(failed.length)} of ${fmt(listing.files.length)} images that cannot be decoded: ${named.join('; ')}${more > 0 ? `; and ${fmt(more)} more` : ''}`,
    );
  }
  const empty = perClass.findIndex((n) => n === 0);
  if (empty >= 0) {
    const cls = listing.classNames[empty];
    const first = failed.find((x) => x.file.label === empty)!;
    throw new DataError(`No image in the class folder '${cls}' in '${listing.dir}' can be decoded (${relName(first.file)} ${first.reason}); replace the damaged files.`);
  }
  const dataset = new FolderDataset(kept, listing.classNames, h, w, c, cacheBytes);
  samples.forEach((s, i) => dataset.prime(i, s));
  return { dataset, warnings };
}

/** "door 120, sign 98, stair 131". */
export function describeCounts(l: FolderListing): string {
  return l.classNames.map((c, k) => `${c} ${fmt(l.perClass[k])}`).join(', ');
}
