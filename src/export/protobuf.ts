// A minimal protocol-buffers encoder (https://protobuf.dev/programming-guides/encoding/): just what writing an
// ONNX model needs. Fields are written in the order they are added; repeated scalars unpacked (every parser
// accepts both forms), except where `packed*` is used. readFields reads one message's fields back (to recognise
// an ONNX file the export wrote).

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private key(field: number, wire: number): void {
    this.varint(BigInt(field) << 3n | BigInt(wire));
  }

  /** A varint: int32/int64/uint64/enum/bool. Negative numbers take ten bytes (two's complement, as int64). */
  private varint(v: bigint | number): void {
    let x = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) b |= 0x80;
      out.push(b);
    } while (x !== 0n);
    this.push(Uint8Array.from(out));
  }

  /** int32, int64, enum, bool: a varint field. Integers beyond 2^53 must be given as bigint. */
  int(field: number, v: number | bigint | boolean): this {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new Error(`field ${field}: ${v} is not a safe integer`);
    this.key(field, WIRE_VARINT);
    this.varint(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    return this;
  }

  /** float (fixed32, little-endian). */
  float(field: number, v: number): this {
    this.key(field, WIRE_I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  /** double (fixed64, little-endian). */
  double(field: number, v: number): this {
    this.key(field, WIRE_I64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, v: Uint8Array): this {
    this.key(field, WIRE_LEN);
    this.varint(v.length);
    this.push(v);
    return this;
  }

  /** A string as UTF-8; a lone surrogate (not encodable) becomes U+FFFD, so the bytes are always valid UTF-8. */
  string(field: number, v: string): this {
    return this.bytes(field, new TextEncoder().encode(v));
  }

  /** An embedded message. */
  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** Repeated int64 packed into one length-delimited field. */
  packedInts(field: number, vs: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of vs) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let p = 0;
    for (const c of this.chunks) {
      out.set(c, p);
      p += c.length;
    }
    return out;
  }
}

export interface ProtoField {
  field: number;
  /** A varint field's value. */
  varint?: bigint;
  /** A length-delimited field's bytes (a string, bytes or an embedded message). */
  bytes?: Uint8Array;
}

/** The top-level fields of a message; null when the bytes are not a well-formed message. */
export function readFields(buf: Uint8Array): ProtoField[] | null {
  const out: ProtoField[] = [];
  let p = 0;
  const varint = (): bigint | null => {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (p >= buf.length) return null;
      const b = buf[p++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return null;
  };
  while (p < buf.length) {
    const key = varint();
    if (key === null) return null;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === WIRE_VARINT) {
      const v = varint();
      if (v === null) return null;
      out.push({ field, varint: v });
    } else if (wire === WIRE_LEN) {
      const n = varint();
      if (n === null || n > BigInt(buf.length - p)) return null;
      out.push({ field, bytes: buf.subarray(p, p + Number(n)) });
      p += Number(n);
    } else if (wire === WIRE_I32 || wire === WIRE_I64) {
      p += wire === WIRE_I32 ? 4 : 8;
      if (p > buf.length) return null;
    } else {
      return null;
    }
  }
  return out;
}
