"""Writes expected.json: random float32 vectors and their quantizations computed with NumPy the way
sentence-transformers' quantize_embeddings defines them (ranges from calibration vectors' min and max, 256 levels,
astype truncation; packbits of x > 0 for binary/ubinary) and NumPy's float16 rounding. Run: python3 make_expected.py"""
import json
import numpy as np

rng = np.random.default_rng(7)
calibration = (rng.standard_normal((50, 13)) * 0.1).astype(np.float32)
vectors = (rng.standard_normal((6, 13)) * 0.1).astype(np.float32)
# Within the calibration ranges: beyond them NumPy's astype wraps around (int8(191.5) is -65), which we clamp instead.
vectors = np.clip(vectors, calibration.min(axis=0), calibration.max(axis=0))
vectors[0, 3] = 0.0  # a zero component: not positive, a 0 bit
vectors[1] = calibration.min(axis=0)  # the range's ends map to the extreme levels
vectors[2] = calibration.max(axis=0)

starts = calibration.min(axis=0)
steps = (calibration.max(axis=0) - starts) / 255
out = {
    "calibration": calibration.tolist(),
    "vectors": vectors.tolist(),
    "int8": ((vectors - starts) / steps - 128).astype(np.int8).tolist(),
    "uint8": ((vectors - starts) / steps).astype(np.uint8).tolist(),
    "binary": (np.packbits(vectors > 0, axis=-1).astype(np.int16) - 128).tolist(),
    "ubinary": np.packbits(vectors > 0, axis=-1).tolist(),
    "float16": vectors.astype(np.float16).astype(np.float32).tolist(),
}
with open("expected.json", "w") as f:
    json.dump(out, f)
