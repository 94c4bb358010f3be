"""scripts/moonshine_int8_head.py on a small decoder of the same layout (the real one is checked
by its SHA-256 in fetch-moonshine, and run by the Moonshine tests)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

SCRIPT = Path(__file__).parent.parent / "scripts" / "moonshine_int8_head.py"
VOCABULARY, WIDTH = 50, 16


def load_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("moonshine_int8_head", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


head = load_script()


def branch(name: str) -> onnx.GraphProto:
    """Embed one token and score every token against it, as the npm decoder's output layer."""
    floats = "model.decoder.embed_tokens.weight_transposed"
    nodes = [
        helper.make_node("Gather", [head.WEIGHTS, "input_ids"], [head.EMBEDDED]),
        helper.make_node("DequantizeLinear", [head.EMBEDDED, head.SCALE, head.ZERO], ["hidden"]),
        helper.make_node("Transpose", [head.WEIGHTS], [head.TRANSPOSED]),
        helper.make_node("DequantizeLinear", [head.TRANSPOSED, head.SCALE, head.ZERO], [floats]),
        helper.make_node("MatMul", ["hidden", floats], ["logits"]),
    ]
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1, VOCABULARY])
    return helper.make_graph(nodes, name, [], [logits])


def small_decoder(path: Path) -> None:
    weights = np.random.default_rng(0).integers(0, 256, (VOCABULARY, WIDTH), dtype=np.uint8)
    initializers = [
        numpy_helper.from_array(weights, head.WEIGHTS),
        numpy_helper.from_array(np.array(0.01, np.float32), head.SCALE),
        numpy_helper.from_array(np.array(107, np.uint8), head.ZERO),
    ]
    choose = helper.make_node(
        "If", ["use_cache_branch"], ["logits"],
        then_branch=branch("then"), else_branch=branch("else"),
    )  # fmt: skip
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, 1]),
        helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1]),
    ]
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1, VOCABULARY])
    graph = helper.make_graph([choose], "decoder", inputs, [logits], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    onnx.save(model, str(path))


def logits(path: Path, token: int, cached: bool) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {"input_ids": np.array([[token]], np.int64), "use_cache_branch": np.array([cached])}
    return np.asarray(session.run(None, feeds)[0]).reshape(-1)


def test_int8_output_layer_scores_tokens_as_the_float_one(tmp_path: Path) -> None:
    small_decoder(tmp_path / "source.onnx")
    head.main(str(tmp_path / "source.onnx"), str(tmp_path / "rewritten.onnx"))
    rewritten = onnx.load(str(tmp_path / "rewritten.onnx"))
    names = {w.name for w in rewritten.graph.initializer}
    assert head.TRANSPOSED in names and head.WEIGHTS not in names  # one copy, transposed
    ops = {n.op_type for n in rewritten.graph.node[0].attribute[0].g.node}
    assert "MatMulInteger" in ops and "MatMul" not in ops
    for token in (0, 7, VOCABULARY - 1):
        for cached in (False, True):
            before = logits(tmp_path / "source.onnx", token, cached)
            after = logits(tmp_path / "rewritten.onnx", token, cached)
            assert after.shape == before.shape == (VOCABULARY,)
            assert int(after.argmax()) == int(before.argmax())
            assert np.abs(after - before).max() < 0.02 * np.abs(before).max()


def test_a_decoder_of_another_layout_is_refused(tmp_path: Path) -> None:
    small_decoder(tmp_path / "source.onnx")
    head.main(str(tmp_path / "source.onnx"), str(tmp_path / "once.onnx"))
    with pytest.raises(SystemExit, match="unexpected decoder layout"):
        head.main(str(tmp_path / "once.onnx"), str(tmp_path / "twice.onnx"))
    assert not (tmp_path / "twice.onnx").exists()
