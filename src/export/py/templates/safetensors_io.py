"""Read and write safetensors files with nothing but the standard library, numpy and torch.

The format (https://github.com/huggingface/safetensors) is simple:

    8 bytes     N, the header length (unsigned 64-bit, little-endian)
    N bytes     a JSON object: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
                "__metadata__": {"key": "string value", ...}}
    the rest    every tensor's raw little-endian bytes, at data_offsets relative to the end of the header

CNN Studio writes checkpoints in this format: tensors "layers.{i}.weight" and "layers.{i}.bias" in PyTorch's
layouts (F32), a batchnorm's "layers.{i}.running_mean" and "running_var" (F32) and "num_batches_tracked" (I64,
a scalar as PyTorch keeps it), and the metadata "source" (the .cnn text) and "metrics" (JSON text).
"""

import json
import os
import struct

import numpy as np
import torch

# safetensors dtype names -> numpy dtypes (little-endian). Checkpoints use F32 and I64; the rest are read for
# convenience.
_DTYPES = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U8": "u1",
    "BOOL": "?",
}

# Largest header accepted (the format's reference implementation uses the same limit).
_MAX_HEADER = 100_000_000


def save_file(tensors, path, metadata=None):
    """Write a dict {name: tensor} to path as safetensors, atomically (temporary file, then rename): integer
    tensors (batchnorm's num_batches_tracked) as I64, every other one as F32."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        integer = not tensor.dtype.is_floating_point and tensor.dtype != torch.bool
        dtype, torch_dtype, numpy_dtype = ("I64", torch.int64, "<i8") if integer else ("F32", torch.float32, "<f4")
        array = tensor.detach().to("cpu", torch_dtype).contiguous().numpy().astype(numpy_dtype, copy=False)
        data = array.tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad the header with spaces so the data starts 8-byte aligned
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in chunks:
            f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_file(path):
    """Read a safetensors file; returns (tensors: dict name -> torch.Tensor, metadata: dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("%s is not a safetensors file: it is only %d bytes long" % (path, len(raw)))
    (n,) = struct.unpack("<Q", raw[:8])
    if n > min(_MAX_HEADER, len(raw) - 8):
        raise ValueError("%s is not a safetensors file: its header length %d does not fit the file" % (path, n))
    try:
        header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    except ValueError as e:
        raise ValueError("%s is not a safetensors file: its header is not JSON (%s)" % (path, e))
    if not isinstance(header, dict):
        raise ValueError("%s: the safetensors header is not a JSON object" % path)
    metadata = header.pop("__metadata__", None) or {}
    data = memoryview(raw)[8 + n :]
    tensors = {}
    for name, entry in header.items():
        dtype = _DTYPES.get(entry.get("dtype"))
        if dtype is None:
            raise ValueError("%s: %s has the unsupported dtype %r" % (path, name, entry.get("dtype")))
        shape = [int(d) for d in entry["shape"]]
        begin, end = (int(d) for d in entry["data_offsets"])
        count = int(np.prod(shape)) if shape else 1
        if not (0 <= begin <= end <= len(data)) or end - begin != count * np.dtype(dtype).itemsize:
            raise ValueError("%s: %s's data_offsets [%d, %d) do not match its shape %s" % (path, name, begin, end, shape))
        array = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape)
        tensors[name] = torch.from_numpy(array.astype(array.dtype.newbyteorder("="), copy=True))
    return tensors, metadata


def load_into(model, path):
    """Load a CNN Studio checkpoint into model with strict name and shape checks; returns the metadata. Each
    tensor takes the dtype of the model's own (float32; int64 for num_batches_tracked)."""
    tensors, metadata = load_file(path)
    own = model.state_dict()
    missing = [k for k in own if k not in tensors]
    extra = [k for k in tensors if k not in own]
    if missing or extra:
        raise ValueError(
            "%s does not fit this model: %s%s"
            % (path, ("missing " + ", ".join(missing)) if missing else "", ("; not in the model: " + ", ".join(extra)) if extra else "")
        )
    for k, t in tensors.items():
        if tuple(t.shape) != tuple(own[k].shape):
            raise ValueError("%s: %s has shape %s but the model needs %s" % (path, k, list(t.shape), list(own[k].shape)))
    model.load_state_dict({k: t.to(own[k].dtype) for k, t in tensors.items()}, strict=True)
    return metadata
