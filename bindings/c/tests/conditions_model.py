"""Derive a model with two condition groups from the C test's classic cvae, for the C test.

    python conditions_model.py CVAE.h5 OUT.h5

The classic cvae has one one-hot group of 3 classes. OUT.h5 has the groups "class" (one-hot,
3) and "level" (continuous, 2): the first layer of the encoder and of the decoder each get two
more kernel rows (small, seeded), which read the "level" values. The rest of the file is
copied as is. OUT.h5 carries no checksum: seal it with `ae seal OUT.h5` before opening it
with the default flags. Needs h5py and numpy.
"""
import json
import sys

import h5py
import numpy as np


def first_layer(group):
    return group[sorted(group.keys())[0]]


def main(source, target):
    rng = np.random.default_rng(7)
    with h5py.File(source, "r") as src, h5py.File(target, "w") as out:
        for key, value in src.attrs.items():
            out.attrs[key] = value
        for name in src:
            src.copy(src[name], out, name=name)
        spec = json.loads(src.attrs["spec"])
        assert spec["kind"] == "cvae", spec["kind"]
        classes = spec.pop("classes", None) or spec["conditions"][0]["width"]
        spec["conditions"] = [
            {"name": "class", "kind": "one_hot", "width": classes},
            {"name": "level", "kind": "continuous", "width": 2},
        ]
        out.attrs["spec"] = json.dumps(spec)
        for part in ("encoder", "decoder"):
            layer = first_layer(out[part])
            kernel = layer["kernel"][()]
            extra = rng.normal(0, 0.1, size=(2, kernel.shape[1])).astype(np.float32)
            del layer["kernel"]
            layer.create_dataset("kernel", data=np.concatenate([kernel, extra], axis=0))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
