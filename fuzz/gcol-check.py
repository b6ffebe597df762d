#!/usr/bin/env python3
"""Prototype of a pre-check proposed in docs/FUZZING.md (not used by the loader): refuse an HDF5
image whose global heap collections ("GCOL") libhdf5 1.10.8 would over-read or loop on.
Usage: python3 fuzz/gcol-check.py FILE...   prints "ok FILE" or "REFUSE <reason> FILE"."""
import sys, struct
def check(b):
    pos = 0
    while True:
        i = b.find(b"GCOL", pos)
        if i < 0: return None
        pos = i + 1
        if i + 16 > len(b): return f"GCOL at {i}: truncated header"
        version = b[i+4]
        size = struct.unpack_from("<Q", b, i+8)[0]
        if version != 1: return f"GCOL at {i}: version {version}"
        if size < 16 or size > len(b) - i: return f"GCOL at {i}: size {size} beyond image"
        p, end = i + 16, i + size
        while p < end:
            if p + 16 > end: break  # too small for a header: free space
            idx, refs = struct.unpack_from("<HH", b, p)
            osize = struct.unpack_from("<Q", b, p + 8)[0]
            need = 16 + ((osize + 7) & ~7) if idx > 0 else osize
            if need == 0 or osize > end - p or need > end - p: return f"GCOL at {i}: object {idx} size {osize} (needs {need} of {end - p} bytes left)"
            p += need
    return None
for f in sys.argv[1:]:
    r = check(open(f, "rb").read())
    print(("REFUSE " + r) if r else "ok", f.split("/")[-1])
