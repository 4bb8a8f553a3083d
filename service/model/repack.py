"""The shipped Q4_K_M weights rewritten in the block layouts llama.cpp's AMX kernels write fastest with.

Same model, not a new quantisation: a Q4_K sub-block of 32 weights is `d·sc·q − dmin·m` with 4-bit `q`, which
is a Q4_1 block (`d`, `m`, the same `q`) but for rounding the two products to fp16 (a relative 2^-11 each:
under 0.1 % of a tensor's largest weight in the published file); a Q6_K tensor becomes Q8_0 (6 bits held in 8: a step about a quarter of Q6_K's own).
Q4_0, llama.cpp's fastest, would quantise again (`Q4_K`'s minimum has no place in it) and answered worse on
the gold set. Written text per second on this machine's AMX build: bench/README.md, "Weights rewritten for AMX".

gguf-py (ggml's own reader and writer) reads and writes the file; a tensor is converted in slices of rows into
its new bytes, so that the output matrix (151,936 rows, 248 MB as Q8_0) is held once, its float copy a slice at
a time. Tensors other than matrices are kept as they are.
"""

from pathlib import Path
from typing import Any

import numpy as np

_ROWS = 4096  # rows converted at a time
_Q4_K_BLOCK = 144  # bytes of 256 weights: d, dmin (fp16), 12 bytes of 6-bit scales and minimums, 128 of nibbles
_Q4_1_BLOCK = 20  # bytes of 32 weights: d, m (fp16), 16 bytes of nibbles
_Q8_0_BLOCK = 34  # bytes of 32 weights: d (fp16), 32 int8


def q4_k_as_q4_1(rows: np.ndarray) -> np.ndarray:
    """Q4_K rows (uint8, 144 bytes per 256 weights) as Q4_1 rows (20 bytes per 32), the same 4-bit values."""
    from gguf.quants import Q4_K

    blocks = np.ascontiguousarray(rows).reshape(-1, _Q4_K_BLOCK)
    count = len(blocks)
    d = blocks[:, 0:2].copy().view(np.float16).astype(np.float32)
    dmin = blocks[:, 2:4].copy().view(np.float16).astype(np.float32)
    scales, mins = Q4_K.get_scale_min(blocks[:, 4:16].copy())
    scale = (d * scales.astype(np.float32)).astype(np.float16).reshape(-1, 1)
    minimum = (-dmin * mins.astype(np.float32)).astype(np.float16).reshape(-1, 1)
    # Q4_K: each 32 bytes hold two sub-blocks, the first in the low nibbles; Q4_1: weight i and i + 16 share byte i
    nibbles = blocks[:, 16:].reshape(count, 4, 1, 32) >> np.array([0, 4], dtype=np.uint8).reshape(1, 1, 2, 1)
    values = (nibbles & np.uint8(0x0F)).reshape(count * 8, 32)
    packed = values[:, :16] | (values[:, 16:] << np.uint8(4))
    out = np.concatenate([scale.view(np.uint8), minimum.view(np.uint8), packed], axis=1)
    return out.reshape(len(rows), -1)


def q6_k_as_q8_0(rows: np.ndarray, width: int) -> np.ndarray:
    from gguf import GGMLQuantizationType
    from gguf.quants import dequantize, quantize

    weights = dequantize(rows, GGMLQuantizationType.Q6_K).reshape(len(rows), width)
    return quantize(weights.astype(np.float32), GGMLQuantizationType.Q8_0)


def repack(source: Path, target: Path) -> None:
    """Write `source`'s metadata and tensors to `target`, Q4_K as Q4_1 and Q6_K as Q8_0, the rest as they are."""
    import gguf

    kind = gguf.GGMLQuantizationType
    reader = gguf.GGUFReader(source)
    writer = gguf.GGUFWriter(target, arch=reader.fields[gguf.Keys.General.ARCHITECTURE].contents())
    for field in reader.fields.values():
        if field.name == gguf.Keys.General.ARCHITECTURE or field.name.startswith("GGUF."):
            continue  # written by GGUFWriter itself
        array = field.types[0] == gguf.GGUFValueType.ARRAY
        writer.add_key_value(field.name, field.contents(), field.types[0], sub_type=field.types[-1] if array else None)

    def converted(tensor: Any) -> tuple[Any, int]:
        """The tensor's new type and bytes per row."""
        width = int(tensor.shape[0])  # GGUF lists the row's length first
        if tensor.data.ndim != 2:
            return tensor.tensor_type, 0
        if tensor.tensor_type == kind.Q4_K:
            return kind.Q4_1, width // 32 * _Q4_1_BLOCK
        if tensor.tensor_type == kind.Q6_K:
            return kind.Q8_0, width // 32 * _Q8_0_BLOCK
        return tensor.tensor_type, 0

    for tensor in reader.tensors:
        new_type, row_bytes = converted(tensor)
        if row_bytes:
            count = len(tensor.data)
            writer.add_tensor_info(tensor.name, (count, row_bytes), np.dtype(np.uint8), count * row_bytes, new_type)
        else:
            writer.add_tensor_info(tensor.name, tensor.data.shape, tensor.data.dtype, tensor.data.nbytes, new_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for tensor in reader.tensors:
        new_type, row_bytes = converted(tensor)
        if not row_bytes:
            writer.write_tensor_data(tensor.data, tensor_endianess=reader.endianess)
            continue
        width = int(tensor.shape[0])
        out = np.empty((len(tensor.data), row_bytes), dtype=np.uint8)
        for start in range(0, len(tensor.data), _ROWS):
            rows = np.asarray(tensor.data[start : start + _ROWS])
            out[start : start + _ROWS] = q4_k_as_q4_1(rows) if new_type == kind.Q4_1 else q6_k_as_q8_0(rows, width)
        writer.write_tensor_data(out, tensor_endianess=reader.endianess)
    writer.close()
