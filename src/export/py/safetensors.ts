// safetensors_io.py: a tiny pure-Python safetensors reader and writer (json header + raw little-endian bytes),
// so the exported package needs neither the `safetensors` pip package nor network access. Written as it is.

import SAFETENSORS_IO_PY from './templates/safetensors_io.py';

export const SAFETENSORS_PY: string = SAFETENSORS_IO_PY;
