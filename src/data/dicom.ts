// DICOM images (one 2-D image per file), parsed with cornerstone's dicom-parser: the header read for the
// folder listing, the pixels decoded to [0, 1] for training and prediction.
//
// Values, as a DICOM viewer shows them: stored values (BitsStored bits, masked and sign-extended when
// PixelRepresentation is 1) → modality rescale (value × RescaleSlope + RescaleIntercept) → the file's first
// window (WindowCenter/WindowWidth with its VOI LUT function: LINEAR, LINEAR_EXACT or SIGMOID, PS3.3
// C.11.2.1.2) or, without one, min–max of the image to [0, 1] (a constant image reads as 0) → MONOCHROME1
// inverted (1 − v), so bright is always dense. RGB (and YBR_FULL, converted to RGB) is scaled by its bit
// depth: v / (2^BitsStored − 1). Grey gives 1 channel, colour 3; pixelsToTensor converts to the model's.
//
// Read: uncompressed transfer syntaxes (implicit and explicit VR little endian, explicit VR big endian,
// deflated explicit VR little endian). Refused with a DataError worded to follow the file's name: encapsulated
// (compressed) pixel data, naming the transfer syntax's UID and name; no pixel data; more than one frame
// (a volume or a cine loop has no one 2-D image to take); other photometric interpretations; bit depths other
// than 8 and 16; files that are not DICOM (no 'DICM' at byte 128) or are cut short. The folder listing
// (dicomInfo) finds all of these from the header and the file's size, so `data folder` refuses them (E040)
// before training.

import { parseDicom, type DataSet } from 'dicom-parser';
import { host } from '../platform/host';
import { DataError, fmt } from './dataset';
import { pixelsToTensor, sniffFormat, type Pixels } from './image';

/** What the folder listing needs from a DICOM header. */
export interface DicomInfo {
  width: number;
  height: number;
  color: boolean;
}

const PIXEL_DATA = 'x7fe00010';
const NATIVE_SYNTAXES = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2']);
const BIG_ENDIAN = '1.2.840.10008.1.2.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';

/** Names of the compressed transfer syntaxes (PS3.6 Table A-1), for the refusal. */
const SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless, Non-Hierarchical (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, Selection Value 1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Lossy (Near-Lossless)',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.95': 'JPIP Referenced Deflate',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile / Main Level',
  '1.2.840.10008.1.2.4.101': 'MPEG2 Main Profile / High Level',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.104': 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video',
  '1.2.840.10008.1.2.4.105': 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video',
  '1.2.840.10008.1.2.4.106': 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265 Main Profile / Level 5.1',
  '1.2.840.10008.1.2.4.108': 'HEVC/H.265 Main 10 Profile / Level 5.1',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.111': 'JPEG XL JPEG Recompression',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.202': 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.8.1': 'Deflated Image Frame Compression',
};

/** "1.2.840.10008.1.2.4.50, JPEG Baseline (Process 1)". */
function syntaxLabel(uid: string): string {
  return `${uid}, ${SYNTAX_NAMES[uid] ?? 'one CNN Studio does not know'}`;
}

const CONVERT_HINT = 'convert it to uncompressed DICOM first, e.g. with dcmtk\'s "dcmdjpeg in.dcm out.dcm" or GDCM\'s "gdcmconv --raw in.dcm out.dcm"';

/**
 * The one rule for which files are read as DICOM: a name ending in .dcm (any case), or bytes that are not a
 * PNG or JPEG and have the Part 10 marker 'DICM' at byte 128 (PACS exports often have no extension).
 */
export function looksLikeDicom(name: string, head: Uint8Array): boolean {
  if (/\.dcm$/i.test(name)) return true;
  return sniffFormat(head) === null && head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d;
}

/** The parser's own words: it throws strings, Errors and { exception, dataSet } objects. */
function parserReason(err: unknown): string {
  const inner = (err as { exception?: unknown })?.exception ?? err;
  const text = (inner instanceof Error ? inner.message : typeof inner === 'string' ? inner : '').trim();
  return text.replace(/^dicomParser[.:]\w*:\s*/, '') || 'the parser gave no reason';
}

/** A deflated data set (transfer syntax 1.2.840.10008.1.2.1.99): the header's bytes, then the inflated rest. */
function inflateDataSet(bytes: Uint8Array, position: number): Uint8Array {
  const inflated = host().inflateRaw(bytes.subarray(position));
  const full = new Uint8Array(position + inflated.length);
  full.set(bytes.subarray(0, position));
  full.set(inflated, position);
  return full;
}

/**
 * Parses a DICOM file's data set up to the pixel data's header: its offset and length are all that the
 * decoding needs, the listing reads only a file's first bytes, and a file cut short inside its pixels is then
 * reported as that rather than as a parser error. `complete`: the bytes are the whole file; when they are
 * not, returns null where the parse ran off their end.
 */
function parse(bytes: Uint8Array, complete: boolean): DataSet | null {
  if (bytes.length === 0) throw new DataError('is empty (0 bytes), not a DICOM image');
  if (bytes.length < 132 || String.fromCharCode(bytes[128], bytes[129], bytes[130], bytes[131]) !== 'DICM') {
    if (!complete && bytes.length < 132) return null;
    throw new DataError('is not a DICOM file (no "DICM" marker at byte 128)');
  }
  try {
    return parseDicom(bytes, { untilTag: PIXEL_DATA, inflater: inflateDataSet as never });
  } catch (err) {
    if (!complete) return null;
    throw new DataError(`cannot be read as DICOM (${parserReason(err)})`);
  }
}

/** The image attributes of a parsed header. */
interface Layout {
  syntax: string;
  rows: number;
  cols: number;
  samples: 1 | 3;
  photometric: string;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  signed: boolean;
  planar: boolean;
}

/** The image attributes, checked: throws DataError for what CNN Studio cannot read. */
function layoutOf(ds: DataSet): Layout {
  const syntax = ds.string('x00020010') ?? '';
  const pixels = ds.elements[PIXEL_DATA];
  if (!pixels) {
    if (ds.elements.x7fe00008 || ds.elements.x7fe00009) throw new DataError('holds float pixel data (7FE0,0008 or 7FE0,0009), which CNN Studio does not read');
    throw new DataError('has no pixel data (no 7FE0,0010 element): it holds no image');
  }
  if (!NATIVE_SYNTAXES.has(syntax) || pixels.hadUndefinedLength || pixels.encapsulatedPixelData) {
    throw new DataError(`is compressed (transfer syntax ${syntaxLabel(syntax || 'none given')}) and CNN Studio cannot decode it; ${CONVERT_HINT}`);
  }
  const rows = ds.uint16('x00280010') ?? 0;
  const cols = ds.uint16('x00280011') ?? 0;
  if (rows === 0 || cols === 0) throw new DataError(`has no pixels (${cols}×${rows})`);
  const frames = ds.intString('x00280008') ?? 1;
  if (frames > 1) throw new DataError(`holds ${fmt(frames)} frames; CNN Studio reads one 2-D image per file (save each frame as its own file)`);
  const samples = ds.uint16('x00280002') ?? 1;
  const photometric = (ds.string('x00280004') ?? (samples === 3 ? 'RGB' : 'MONOCHROME2')).toUpperCase();
  const known = samples === 1 ? ['MONOCHROME1', 'MONOCHROME2'] : samples === 3 ? ['RGB', 'YBR_FULL'] : [];
  if (!known.includes(photometric)) {
    throw new DataError(`has ${samples} sample${samples === 1 ? '' : 's'} per pixel with the photometric interpretation ${photometric}; CNN Studio reads MONOCHROME1, MONOCHROME2, RGB and YBR_FULL`);
  }
  const bitsAllocated = ds.uint16('x00280100') ?? 0;
  if (bitsAllocated !== 8 && bitsAllocated !== 16) throw new DataError(`has ${bitsAllocated} bits allocated per sample; CNN Studio reads 8 and 16`);
  if (photometric === 'YBR_FULL' && bitsAllocated !== 8) throw new DataError('is YBR_FULL with 16 bits per sample; CNN Studio reads YBR_FULL with 8');
  const stored = ds.uint16('x00280101') ?? bitsAllocated;
  const bitsStored = stored >= 1 && stored <= bitsAllocated ? stored : bitsAllocated;
  return {
    syntax,
    rows,
    cols,
    samples: samples as 1 | 3,
    photometric,
    bitsAllocated,
    bitsStored,
    signed: (ds.uint16('x00280103') ?? 0) === 1,
    planar: samples === 3 && (ds.uint16('x00280006') ?? 0) === 1,
  };
}

/** Bytes of pixel data the image needs. */
function pixelBytes(l: Layout): number {
  return l.rows * l.cols * l.samples * (l.bitsAllocated / 8);
}

/** Throws DataError when the pixel data is shorter than the image; `end`: where the data set's bytes end. */
function checkPixelLength(ds: DataSet, l: Layout, end: number): void {
  const el = ds.elements[PIXEL_DATA];
  const need = pixelBytes(l);
  const available = Math.min(el.length, end - el.dataOffset);
  if (available < need) throw new DataError(`has pixel data that ends early (${fmt(Math.max(0, available))} of the ${fmt(need)} bytes of a ${l.cols}×${l.rows} image)`);
}

/**
 * The header facts the folder listing needs, from a file's first bytes (`complete`: they are the whole file;
 * `fileSize`: the whole file's size when they are not, to find pixel data cut short without reading it).
 * Returns null when those bytes end inside the header (read the whole file and ask again); throws DataError
 * for a file that is not a DICOM image CNN Studio can read.
 */
export function dicomInfo(bytes: Uint8Array, complete: boolean, fileSize = bytes.length): DicomInfo | null {
  const ds = parse(bytes, complete);
  if (!ds) return null;
  // Without the pixel data's header in these bytes, the file may be larger than them: ask for all of it.
  if (!complete && !ds.elements[PIXEL_DATA]) return null;
  const l = layoutOf(ds);
  // A deflated data set's offsets are in the inflated bytes, not the file's: check it whole.
  if (!complete && l.syntax === DEFLATED) return null;
  checkPixelLength(ds, l, complete ? ds.byteArray.length : fileSize);
  return { width: l.cols, height: l.rows, color: l.samples === 3 };
}

/** The stored values as numbers: BitsStored bits of each sample, sign-extended for signed data. */
function storedValues(ds: DataSet, l: Layout): Float64Array {
  const el = ds.elements[PIXEL_DATA];
  const n = l.rows * l.cols * l.samples;
  const bytesPer = l.bitsAllocated / 8;
  const need = pixelBytes(l);
  const arr = ds.byteArray;
  checkPixelLength(ds, l, arr.length);
  const dv = new DataView(arr.buffer, arr.byteOffset + el.dataOffset, need);
  const little = l.syntax !== BIG_ENDIAN;
  const mask = l.bitsStored >= 32 ? 0xffffffff : 2 ** l.bitsStored - 1;
  const signBit = 2 ** (l.bitsStored - 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = (bytesPer === 1 ? dv.getUint8(i) : dv.getUint16(2 * i, little)) & mask;
    if (l.signed && v >= signBit) v -= 2 * signBit;
    out[i] = v;
  }
  if (!l.planar) return out;
  // Planar configuration 1 (RRR…GGG…BBB…) to interleaved.
  const px = l.rows * l.cols;
  const inter = new Float64Array(n);
  for (let p = 0; p < px; p++) for (let c = 0; c < 3; c++) inter[3 * p + c] = out[c * px + p];
  return inter;
}

/** Monochrome values to [0, 1]: rescale, then the file's window or min–max, then MONOCHROME1 inverted. */
function greyToUnit(ds: DataSet, l: Layout, raw: Float64Array): Float32Array {
  const slope = ds.floatString('x00281053') ?? 1;
  const intercept = ds.floatString('x00281052') ?? 0;
  const n = raw.length;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = raw[i] * slope + intercept;
  const center = ds.floatString('x00281050', 0);
  const width = ds.floatString('x00281051', 0);
  const out = new Float32Array(n);
  // Each value is worked out in float64 and rounded to float32 once (the tests compare with numpy exactly).
  const inv = l.photometric === 'MONOCHROME1';
  if (center !== undefined && width !== undefined && Number.isFinite(center) && Number.isFinite(width) && width >= 1) {
    const fn = (ds.string('x00281056') ?? 'LINEAR').toUpperCase();
    for (let i = 0; i < n; i++) {
      let v: number;
      if (fn === 'SIGMOID') v = 1 / (1 + Math.exp((-4 * (x[i] - center)) / width));
      else if (fn === 'LINEAR_EXACT') v = x[i] <= center - width / 2 ? 0 : x[i] > center + width / 2 ? 1 : (x[i] - center) / width + 0.5;
      else v = x[i] <= center - 0.5 - (width - 1) / 2 ? 0 : x[i] > center - 0.5 + (width - 1) / 2 ? 1 : (x[i] - (center - 0.5)) / (width - 1) + 0.5;
      out[i] = inv ? 1 - v : v;
    }
    return out;
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
  }
  const range = max - min;
  for (let i = 0; i < n; i++) {
    const v = range > 0 ? (x[i] - min) / range : 0;
    out[i] = inv ? 1 - v : v;
  }
  return out;
}

/** RGB or YBR_FULL values to RGB in [0, 1] by the bit depth. */
function colorToUnit(l: Layout, raw: Float64Array): Float32Array {
  const out = new Float32Array(raw.length);
  if (l.photometric === 'YBR_FULL') {
    // PS3.3 C.7.6.3.1.2, 8 bits.
    const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v) / 255;
    for (let i = 0; i < raw.length; i += 3) {
      const y = raw[i];
      const cb = raw[i + 1] - 128;
      const cr = raw[i + 2] - 128;
      out[i] = clamp(y + 1.402 * cr);
      out[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
      out[i + 2] = clamp(y + 1.772 * cb);
    }
    return out;
  }
  const max = 2 ** l.bitsStored - 1;
  for (let i = 0; i < raw.length; i++) out[i] = Math.min(1, Math.max(0, raw[i] / max));
  return out;
}

/** A whole DICOM file decoded to pixels in [0, 1] (1 channel grey, 3 colour); throws DataError. */
export function decodeDicom(bytes: Uint8Array): Pixels {
  const ds = parse(bytes, true)!;
  const l = layoutOf(ds);
  const raw = storedValues(ds, l);
  const data = l.samples === 1 ? greyToUnit(ds, l, raw) : colorToUnit(l, raw);
  return { width: l.cols, height: l.rows, channels: l.samples, data, scale: 1 };
}

/** A DICOM file as the model's input (H×W×C in [0, 1]) written into `out` at `offset`; throws DataError. */
export function dicomToTensor(bytes: Uint8Array, h: number, w: number, c: number, out: Float32Array, offset: number): void {
  pixelsToTensor(decodeDicom(bytes), h, w, c, out, offset);
}
