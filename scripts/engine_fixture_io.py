"""What the engine's PyTorch fixture scripts (make-engine-fixtures.py, make-engine-graph-fixtures.py,
make-variant-fixtures.py, make-loss-fixtures.py) share: random inputs, flat lists for JSON, and safetensors written and read with
nothing but the standard library and numpy (F32 tensors, and I64 for batch norm's num_batches_tracked)."""
import json
import struct

import torch


def flat(t):
    return [float('%.9g' % v) for v in t.detach().reshape(-1).tolist()]


def rand(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def write_safetensors(path, tensors, metadata):
    header = {'__metadata__': metadata}
    blobs, off = [], 0
    for name, t in tensors.items():
        if t.dtype == torch.int64:
            data, dtype = t.detach().contiguous().numpy().astype('<i8').tobytes(), 'I64'
        else:
            data, dtype = t.detach().contiguous().to(torch.float32).numpy().astype('<f4').tobytes(), 'F32'
        header[name] = dict(dtype=dtype, shape=list(t.shape), data_offsets=[off, off + len(data)])
        blobs.append(data)
        off += len(data)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """(tensors by name, metadata) of a safetensors file with F32 and I64 tensors."""
    import numpy as np
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    out = {}
    for name, e in header.items():
        b, end = e['data_offsets']
        dt = {'F32': '<f4', 'I64': '<i8'}[e['dtype']]
        arr = np.frombuffer(raw[8 + n + b:8 + n + end], dtype=dt).reshape(e['shape'])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta
