"""Export a model file's full forward pass (scaling, dense layers, output activation,
unscaling) to ONNX, built from the HDF5 file with the onnx package.

    python r8_export.py MODEL.h5 MODEL.onnx
"""
import json
import sys

import h5py
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ACTIVATIONS = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": None}


def export(path, out):
    nodes, weights = [], []

    def constant(name, array):
        weights.append(numpy_helper.from_array(np.asarray(array, np.float32), name))
        return name

    with h5py.File(path, "r") as f:
        spec = json.loads(f.attrs["spec"])
        d = spec["inputWidth"]
        current = "x"
        nodes.append(helper.make_node("Sub", [current, constant("offset", f["preprocessing/offset"][...])], ["centred"]))
        nodes.append(helper.make_node("Mul", ["centred", constant("scale", f["preprocessing/scale"][...])], ["h0"]))
        current = "h0"
        index = 0
        for part in ("encoder", "decoder"):
            for name in sorted(f[part]):
                group = f[part][name]
                index += 1
                kernel = constant(f"W{index}", group["kernel"][...])
                bias = constant(f"b{index}", group["bias"][...])
                nodes.append(helper.make_node("Gemm", [current, kernel, bias], [f"z{index}"]))
                op = ACTIVATIONS[group.attrs["activation"]]
                current = f"z{index}"
                if op:
                    nodes.append(helper.make_node(op, [current], [f"a{index}"]))
                    current = f"a{index}"
        nodes.append(helper.make_node("Div", [current, "scale"], ["unscaled"]))
        nodes.append(helper.make_node("Add", ["unscaled", "offset"], ["y"]))
    graph = helper.make_graph(
        nodes, "autoencoder",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", d])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", d])], weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out)


if __name__ == "__main__":
    export(sys.argv[1], sys.argv[2])
