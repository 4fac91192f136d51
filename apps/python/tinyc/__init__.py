"""tinyc from Python: one call per CLI verb, the same options, the CLI's exit codes as exceptions.

    import tinyc
    out = tinyc.convert("model.onnx", target="cortex-m4", name="kws")
    out["files"]["kws.c"]            # the generated sources, by file name
    out["report"]["arena_bytes"]     # the report (docs/report-json.md) as a dict

Every function runs the tinyc executable installed with this package (or $TINYC_BINARY). Options
are keyword arguments named as the CLI's, with '_' for '-': `calib_method="mse"` is
`--calib-method mse`, `io_in_arena=True` is `--io-in-arena`, a list repeats an option. A model is a
path or an `onnx.ModelProto`; input data are numpy arrays. See docs/python.md.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _cli
from .errors import InternalError, ModelError, TinycError, UsageError, ValidationError

__all__ = ["convert", "validate", "inspect", "run", "bench", "ops", "from_torch", "version", "binary",
           "TinycError", "ModelError", "UsageError", "ValidationError", "InternalError"]

ModelLike = Union[str, "os.PathLike[str]", Any]  # a path or an onnx.ModelProto
ArrayLike = Any  # numpy.ndarray
Inputs = Union[ArrayLike, Sequence[ArrayLike], Mapping[str, ArrayLike]]
Calib = Union[str, "os.PathLike[str]", Sequence[ArrayLike], Sequence[Mapping[str, ArrayLike]]]

binary = _cli.binary


def version() -> str:
    """`tinyc --version` (the first line: 'tinyc X.Y.Z')."""
    return _cli.run(["--version"]).stdout.splitlines()[0].strip()


def _model_path(model: ModelLike, tmp: str, name: Optional[str]) -> str:
    """A path for the model: itself, or a ModelProto serialized into tmp (named NAME.onnx or model.onnx)."""
    if isinstance(model, (str, os.PathLike)):
        return os.fspath(model)
    if hasattr(model, "SerializeToString"):
        path = Path(tmp) / f"{name or 'model'}.onnx"
        path.write_bytes(model.SerializeToString())
        return str(path)
    if isinstance(model, (bytes, bytearray)):
        path = Path(tmp) / f"{name or 'model'}.onnx"
        path.write_bytes(bytes(model))
        return str(path)
    raise TypeError(f"tinyc: a model is a path, bytes or an onnx.ModelProto, not {type(model).__name__}")


def _npz_key(name: str) -> str:
    """An input's name as tinyc matches array names (namesInput): characters outside [A-Za-z0-9_.-] as '_'."""
    return "".join(c if c.isalnum() or c in "_.-" else "_" for c in name)


def _calib_path(calib: Calib, tmp: str, what: str) -> str:
    """--calib/--prune-data: a path as it is; a list of arrays (one input) or of dicts (input name ->
    array) written to an .npz in the layout tinyc reads (docs/cli.md)."""
    if isinstance(calib, (str, os.PathLike)):
        return os.fspath(calib)
    import numpy as np

    samples = list(calib)
    if not samples:
        raise UsageError(f"tinyc: error: {what}: no samples given", exit_code=2)
    path = Path(tmp) / f"{what}.npz"
    if all(isinstance(s, Mapping) for s in samples):
        names = list(samples[0].keys())
        arrays = {}
        for n in names:
            if any(n not in s for s in samples):
                raise UsageError(f"tinyc: error: {what}: input '{n}' is missing from a sample", exit_code=2)
            arrays[_npz_key(n)] = np.stack([np.asarray(s[n]) for s in samples])
        np.savez(path, **arrays)
    else:
        np.savez(path, **{f"sample_{k:06d}": np.asarray(s) for k, s in enumerate(samples)})
    return str(path)


def _input_files(inputs: Inputs, model_path: str, tmp: str) -> List[str]:
    """Input arrays as .npy files in graph-input order (a dict is ordered by the model's inputs)."""
    import numpy as np

    if isinstance(inputs, Mapping):
        order = [v["name"] for v in inspect(model_path)["inputs"]]
        missing = [n for n in order if n not in inputs]
        extra = [n for n in inputs if n not in order]
        if missing or extra:
            raise UsageError(f"tinyc: error: inputs: the model's inputs are {order}"
                             + (f"; missing {missing}" if missing else "") + (f"; unknown {extra}" if extra else ""),
                             exit_code=2)
        arrays = [inputs[n] for n in order]
    elif isinstance(inputs, (list, tuple)):
        arrays = list(inputs)
    else:
        arrays = [inputs]
    files = []
    for k, a in enumerate(arrays):
        p = Path(tmp) / f"input_{k}.npy"
        np.save(p, np.ascontiguousarray(np.asarray(a)))
        files.append(str(p))
    return files


def _common(model: ModelLike, tmp: str, name: Optional[str], options: Dict[str, Any]) -> List[str]:
    """The model path and the options every verb shares; calibration/pruning data written when given as arrays."""
    opts = dict(options)
    for key in ("calib", "prune_data"):
        if opts.get(key) is not None:
            opts[key] = _calib_path(opts[key], tmp, key)
    if name is not None:
        opts["name"] = name
    return [_model_path(model, tmp, name), *_cli.option_args(opts)]


def convert(model: ModelLike, out_dir: Optional[Union[str, "os.PathLike[str]"]] = None, *, target: str = "generic",
            name: Optional[str] = None, **options: Any) -> Dict[str, Any]:
    """`tinyc convert`: generates C for `target`. Returns {"files": {file name: text}, "report":
    dict (docs/report-json.md), "out_dir": the folder or None}. With `out_dir` the files are also
    written there (as the CLI does, all or nothing); without it they stay in memory only.
    Other options as the CLI's: quantize="int8", calib=[arrays], prune="channels:0.25", patch="off", ...
    Raises ModelError (exit 1) / UsageError (exit 2) / InternalError (exit 3) with tinyc's message."""
    with tempfile.TemporaryDirectory(prefix="tinyc-") as tmp:
        dest = Path(out_dir) if out_dir is not None else Path(tmp) / "out"
        report = Path(tmp) / "report.json"
        args = ["convert", *_common(model, tmp, name, options), "--target", target, "-o", str(dest),
                "--report", str(report), "--quiet"]
        _cli.run(args)
        rep = json.loads(report.read_text())
        files = {}
        for f in rep.get("files", []):
            p = dest / (f["name"] if isinstance(f, dict) else f)
            files[p.name] = p.read_text()
        if not files:  # a report without a file list: every file written
            files = {p.name: p.read_text() for p in sorted(dest.iterdir()) if p.is_file()}
        return {"files": files, "report": rep, "out_dir": str(dest) if out_dir is not None else None}


def validate(model: ModelLike, inputs: Optional[Inputs] = None, *, target: str = "generic",
             emulate: bool = False, test_data: Optional[str] = None, **options: Any) -> Dict[str, Any]:
    """`tinyc validate --json`: builds the generated C (on the host, or in QEMU with emulate=True),
    runs it on `inputs` (numpy arrays), `test_data` or seeded random inputs, and compares with the
    interpreter. Returns the comparison (dict). Outside the tolerance: ValidationError (exit 1),
    its `result` the comparison."""
    with tempfile.TemporaryDirectory(prefix="tinyc-") as tmp:
        args = ["validate", *_common(model, tmp, None, options), "--target", target, "--json"]
        if emulate:
            args.append("--emulate")
        if test_data is not None:
            args += ["--test-data", os.fspath(test_data)]
        if inputs is not None:
            for f in _input_files(inputs, args[1], tmp):
                args += ["-i", f]
        try:
            proc = _cli.run(args)
        except ModelError as e:
            try:
                result = json.loads(e.stdout) if e.stdout.strip() else None
            except ValueError:
                result = None
            if result is None:
                raise
            err = ValidationError(e.message, exit_code=e.exit_code, stderr=e.stderr, stdout=e.stdout)
            err.result = result
            raise err from None
        return json.loads(proc.stdout)


def inspect(model: ModelLike, *, target: str = "generic", O: int = 0, **options: Any) -> Dict[str, Any]:
    """`tinyc inspect --json`: the model's inputs, outputs, nodes, shapes, parameters and MACs after
    the passes of -O `O` (docs/inspect-json.md)."""
    with tempfile.TemporaryDirectory(prefix="tinyc-") as tmp:
        args = ["inspect", *_common(model, tmp, None, options), "--target", target, "-O", str(O), "--json"]
        return json.loads(_cli.run(args).stdout)


def run(model: ModelLike, inputs: Inputs, **options: Any) -> List[Any]:
    """`tinyc run`: the reference interpreter on `inputs` (one numpy array, a list in graph-input
    order, or a dict by input name). Returns the outputs as numpy arrays, in graph-output order."""
    import numpy as np

    with tempfile.TemporaryDirectory(prefix="tinyc-") as tmp:
        common = _common(model, tmp, None, options)
        out = Path(tmp) / "outputs"
        args = ["run", *common, "--output-dir", str(out), "--output-format", "npy"]
        for f in _input_files(inputs, common[0], tmp):
            args += ["-i", f]
        _cli.run(args)
        files = sorted(out.glob("output_*.npy"), key=lambda p: int(p.stem.split("_")[1]))
        return [np.load(p) for p in files]


def bench(model: ModelLike, *, target: str = "generic", emulate: bool = False, **options: Any) -> Dict[str, Any]:
    """`tinyc bench --json`: host latency of the generated C and of the interpreter, or with
    emulate=True the emulated Cortex-M's instructions per inference and per layer, flash and RAM."""
    with tempfile.TemporaryDirectory(prefix="tinyc-") as tmp:
        args = ["bench", *_common(model, tmp, None, options), "--target", target, "--json"]
        if emulate:
            args.append("--emulate")
        return json.loads(_cli.run(args).stdout)


def ops() -> str:
    """`tinyc ops`: the supported ONNX ops (text)."""
    return _cli.run(["ops"]).stdout


def from_torch(module: Any, example_inputs: Any, out_dir: Optional[Union[str, "os.PathLike[str]"]] = None, *,
               opset: Optional[int] = None, input_names: Optional[Sequence[str]] = None,
               output_names: Optional[Sequence[str]] = None, export_options: Optional[Dict[str, Any]] = None,
               **convert_options: Any) -> Dict[str, Any]:
    """Exports a PyTorch module with torch.onnx.export (torch is an optional dependency) and
    converts it: `tinyc.from_torch(net.eval(), torch.randn(1, 3, 32, 32), target="cortex-m4")`.
    Returns what convert() returns, plus "onnx": the exported model's bytes. `export_options` go
    to torch.onnx.export (e.g. {"dynamo": True} on torch >= 2.5)."""
    try:
        import torch
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("tinyc.from_torch needs PyTorch: pip install torch") from e
    args = tuple(example_inputs) if isinstance(example_inputs, (list, tuple)) else (example_inputs,)
    kw: Dict[str, Any] = dict(export_options or {})
    if opset is not None:
        kw["opset_version"] = opset
    if input_names is not None:
        kw["input_names"] = list(input_names)
    if output_names is not None:
        kw["output_names"] = list(output_names)
    with tempfile.TemporaryDirectory(prefix="tinyc-torch-") as tmp:
        path = Path(tmp) / f"{convert_options.get('name') or 'model'}.onnx"
        was_training = getattr(module, "training", False)
        module.eval()
        try:
            with torch.no_grad():
                torch.onnx.export(module, args, str(path), **kw)
        finally:
            if was_training:
                module.train()
        result = convert(str(path), out_dir, **convert_options)
        result["onnx"] = path.read_bytes()
        return result
