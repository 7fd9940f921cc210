#!/usr/bin/env python3
"""Builds random-weight EfficientNet-B3 (300 px) and -B7 (600 px) ONNX models for benchmarks, in ../shared's layout.

    python3 scripts/make-efficientnet.py [--models b3 b7] [--seed 0] [FOLDER]

FOLDER (default ~/.cache/kiln/models) gets one folder per model: `efficientnet_b3/model.onnx` and
`test_data_set_0/{input_0.pb,output_0.pb}` (a seeded N(0, 1) input and onnxruntime's output with graph
optimizations off), as ../shared/models has them. B7 is about 260 MB: never commit the models.

The network is torchvision's EfficientNet as torch.onnx exports it with BatchNorm folded (opset 17): a 3x3 stride-2
stem, MBConv blocks (1x1 expand + SiLU, depthwise + SiLU, squeeze-excite through GlobalAveragePool and two 1x1 convs,
1x1 project, residual add when the shape allows), a 1x1 head conv + SiLU, GlobalAveragePool, Flatten, Gemm; SiLU as
Sigmoid + Mul. Compound scaling as in the paper and torchvision: channels x width rounded to multiples of 8, block
repeats x depth rounded up (B3: 1.2 / 1.4, B7: 2.0 / 3.1).

Weights are random (He initialization) and then normalized layer by layer, as ../shared's random-weight models had
their BatchNorm statistics set: two random N(0, 1) images go through the network as it is built (in numpy, at the
model's resolution: at half of it the border pixels weigh too much and B3's logits came out 50x too large), and each
conv's folded weights and bias are scaled so its output has mean 0 and standard deviation 1 per channel (the residual
branch's projection 0.5, so the sum stays near 1 through dozens of blocks; the SE's 1x1 convs on pooled vectors one
scale for all channels). Activations thus stay well scaled through the depth (logits' standard deviation about 3 for
B3, 0.8 for B7) and depend on the input. B3 takes about 10 s, B7 about 4 minutes and 1.6 GB of memory.

Needs numpy, onnx and onnxruntime (pip install numpy onnx onnxruntime); a benchmark tool, never a dependency of Kiln.
"""
import argparse
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# (expand ratio, kernel, stride, input channels, output channels, repeats) of EfficientNet-B0's seven stages.
B0_STAGES = [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
             (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1)]
# name: (width multiplier, depth multiplier, resolution)
MODELS = {"b3": (1.2, 1.4, 300), "b7": (2.0, 3.1, 600)}
CALIBRATION_IMAGES = 2


def make_divisible(value, divisor=8):
    """torchvision's _make_divisible: the nearest multiple of divisor, never 10 % below value."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def conv_nchw(x, w, stride, groups):
    """Conv2d with "same" symmetric padding (k - 1) / 2, as torchvision's EfficientNet pads: groups 1 or depthwise."""
    k = w.shape[2]
    pad = (k - 1) // 2
    n, c, h, wd = x.shape
    oh, ow = (h + 2 * pad - k) // stride + 1, (wd + 2 * pad - k) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((n, w.shape[0], oh, ow), dtype=np.float32)
    for ky in range(k):
        for kx in range(k):
            window = xp[:, :, ky:ky + stride * (oh - 1) + 1:stride, kx:kx + stride * (ow - 1) + 1:stride]
            if groups == 1:
                out += np.einsum("oc,nchw->nohw", w[:, :, ky, kx], window, optimize=True)
            else:
                out += window * w[:, 0, ky, kx][None, :, None, None]
    return out


def silu(x):
    return x / (1 + np.exp(-x))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class Builder:
    """The ONNX graph and, beside it, the calibration batch flowing through it."""

    def __init__(self, rng):
        self.rng = rng
        self.nodes, self.initializers = [], []

    def tensor(self, name, array):
        self.initializers.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    def node(self, op, inputs, name, **attributes):
        output = name + "_output_0"
        self.nodes.append(helper.make_node(op, inputs, [output], name=name, **attributes))
        return output

    def conv(self, value, x, cout, k, stride, groups, name, target_std=1.0):
        """A Conv with He-initialized weights, folded-BatchNorm bias, normalized on the calibration batch x."""
        cin = x.shape[1]
        fan_in = (cin // groups) * k * k
        w = (self.rng.standard_normal((cout, cin // groups, k, k)) * math.sqrt(2.0 / fan_in)).astype(np.float32)
        y = conv_nchw(x, w, stride, groups)
        mean, std = y.mean(axis=(0, 2, 3)), y.std(axis=(0, 2, 3)) + 1e-6
        scale = target_std / std
        w *= scale[:, None, None, None]
        b = -mean * scale
        y = (y - mean[None, :, None, None]) * scale[None, :, None, None]
        out = self.node("Conv", [value, self.tensor(name + ".weight", w), self.tensor(name + ".bias", b)], name + "/Conv",
                        kernel_shape=[k, k], strides=[stride, stride], pads=[(k - 1) // 2] * 4, group=groups,
                        dilations=[1, 1])
        return out, y

    def silu(self, value, x, name):
        gate = self.node("Sigmoid", [value], name + "/Sigmoid")
        return self.node("Mul", [value, gate], name + "/Mul"), silu(x)

    def fc(self, value, x, cout, name):
        """A 1x1 conv on a pooled [N, C, 1, 1] vector (the SE's): normalized over the whole batch, one scale."""
        cin = x.shape[1]
        w = self.rng.standard_normal((cout, cin, 1, 1)) * math.sqrt(2.0 / cin)
        y = np.einsum("oc,nchw->nohw", w[:, :, 0, 0], x)
        scale = 1.0 / (y.std() + 1e-6)
        w *= scale
        b = -y.mean() * scale * np.ones(cout)
        y = (y - y.mean()) * scale
        out = self.node("Conv", [value, self.tensor(name + ".weight", w), self.tensor(name + ".bias", b)], name + "/Conv",
                        kernel_shape=[1, 1], strides=[1, 1], pads=[0, 0, 0, 0], group=1, dilations=[1, 1])
        return out, y

    def mbconv(self, value, x, expand, k, stride, cout, name):
        cin = x.shape[1]
        block_in, block_x = value, x
        expanded = make_divisible(cin * expand)
        if expand != 1:
            value, x = self.conv(value, x, expanded, 1, 1, 1, f"{name}.block.0")
            value, x = self.silu(value, x, f"{name}/block/block.0")
        index = 1 if expand != 1 else 0
        value, x = self.conv(value, x, expanded, k, stride, expanded, f"{name}.block.{index}")
        value, x = self.silu(value, x, f"{name}/block/block.{index}")
        # Squeeze-excite: squeeze to a quarter of the block's input channels.
        se = f"{name}.block.{index + 1}"
        pooled = self.node("GlobalAveragePool", [value], f"{se}/avgpool/GlobalAveragePool")
        px = x.mean(axis=(2, 3), keepdims=True)
        s, sx = self.fc(pooled, px, max(1, cin // 4), f"{se}.fc1")
        s, sx = self.silu(s, sx, f"{se}/activation")
        s, sx = self.fc(s, sx, expanded, f"{se}.fc2")
        gate = self.node("Sigmoid", [s], f"{se}/scale_activation/Sigmoid")
        value = self.node("Mul", [value, gate], f"{se}/Mul")
        x = x * sigmoid(sx)
        residual = stride == 1 and cin == cout
        value, x = self.conv(value, x, cout, 1, 1, 1, f"{name}.block.{index + 2}", target_std=0.5 if residual else 1.0)
        if residual:
            value = self.node("Add", [value, block_in], f"{name}/Add")
            x = x + block_x
        return value, x


def build(name, width, depth, resolution, calibration, seed):
    rng = np.random.default_rng(seed)
    b = Builder(rng)
    x = rng.standard_normal((CALIBRATION_IMAGES, 3, calibration, calibration)).astype(np.float32)
    value, x = b.conv("input", x, make_divisible(32 * width), 3, 2, 1, "features.0.0")
    value, x = b.silu(value, x, "/features/features.0/features.0.2")
    for stage, (expand, k, stride, _, cout, repeats) in enumerate(B0_STAGES, start=1):
        for i in range(int(math.ceil(repeats * depth))):
            value, x = b.mbconv(value, x, expand, k, stride if i == 0 else 1, make_divisible(cout * width),
                                f"features.{stage}.{i}")
        print(f"{name}: stage {stage} done, activation std {x.std():.2f}", file=sys.stderr)
    head = 4 * make_divisible(320 * width)
    value, x = b.conv(value, x, head, 1, 1, 1, "features.8.0")
    value, x = b.silu(value, x, "/features/features.8/features.8.2")
    pooled = b.node("GlobalAveragePool", [value], "/avgpool/GlobalAveragePool")
    flat = b.node("Flatten", [pooled], "/Flatten", axis=1)
    w = rng.standard_normal((1000, head)) * math.sqrt(1.0 / head)
    logits_x = x.mean(axis=(2, 3)) @ w.T
    w /= logits_x.std() + 1e-6
    b.node("Gemm", [flat, b.tensor("classifier.1.weight", w), b.tensor("classifier.1.bias", np.zeros(1000))],
                    "/classifier/classifier.1/Gemm", alpha=1.0, beta=1.0, transB=1)
    b.nodes[-1].output[0] = "logits"
    graph = helper.make_graph(
        b.nodes, f"efficientnet_{name}",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, resolution, resolution])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1000])], b.initializers)
    model = helper.make_model(graph, producer_name="kiln make-efficientnet.py", opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write(model, resolution, folder, seed):
    import onnxruntime as ort

    os.makedirs(os.path.join(folder, "test_data_set_0"), exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    x = np.random.default_rng(seed + 1).standard_normal((1, 3, resolution, resolution)).astype(np.float32)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    (y,) = session.run(None, {"input": x})
    for kind, array in (("input", x), ("output", y)):
        with open(os.path.join(folder, "test_data_set_0", f"{kind}_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(array, kind if kind == "input" else "logits").SerializeToString())
    return y


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=os.path.expanduser("~/.cache/kiln/models"))
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=sorted(MODELS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--calibration", type=float, default=1.0,
                        help="calibration images' size as a fraction of the model's resolution (default 1: smaller ones leave the border pixels too much weight)")
    args = parser.parse_args()
    for name in args.models:
        width, depth, resolution = MODELS[name]
        model = build(name, width, depth, resolution, max(32, int(resolution * args.calibration)), args.seed)
        folder = os.path.join(args.folder, f"efficientnet_{name}")
        y = write(model, resolution, folder, args.seed)
        params = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
        print(f"wrote {folder}: {len(model.graph.node)} nodes, {params / 1e6:.1f} M parameters, {resolution} px; "
              f"logits std {y.std():.2f}, top class {int(y.argmax())}")


if __name__ == "__main__":
    main()
