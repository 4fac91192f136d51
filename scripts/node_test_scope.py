"""Lists the node tests "in scope" for an MCU compiler (issue 15's measure): not a training test,
not an `_expanded` function body, no op outside the default domain (the training
ops), and every graph input and output a tensor of an MCU element type
(float, float16, double, int8..int64, uint8..uint64, bool: no string, bfloat16, complex, float8,
4-bit or 2-bit data, no sequence, map or optional). Usage: node_test_scope.py SUITE [RESULTS]
RESULTS: a `tinyc_conformance -v` log; then prints how many in-scope tests pass and which do not."""
import os
import re
import sys

import onnx

MCU = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13}  # TensorProto codes


def in_scope(path):
    name = os.path.basename(path)
    if "training" in name or name.endswith("_expanded") or "_expanded_" in name:
        return False
    m = onnx.load(os.path.join(path, "model.onnx"), load_external_data=False)
    if any(n.domain not in ("", "ai.onnx") for n in m.graph.node):  # training ops (preview domain)
        return False
    for v in list(m.graph.input) + list(m.graph.output):
        t = v.type
        if not t.HasField("tensor_type") or t.tensor_type.elem_type not in MCU:
            return False
    return True


def main():
    suite = sys.argv[1]
    tests = sorted(d for d in os.listdir(suite) if os.path.isdir(os.path.join(suite, d)))
    scope = [t for t in tests if in_scope(os.path.join(suite, t))]
    print(f"{len(scope)} of {len(tests)} node tests in scope")
    if len(sys.argv) > 2:
        status = {}
        for line in open(sys.argv[2]):
            m = re.match(r"\s*(pass|PASS|FAIL|fail|known|KNOWN|unsupported|UNSUPPORTED|interp-only)\s+(test_\w+)", line)
            if m:
                status[m.group(2)] = m.group(1).lower()
        passed = [t for t in scope if status.get(t) == "pass"]
        print(f"{len(passed)} of {len(scope)} in-scope tests pass ({100.0 * len(passed) / max(len(scope), 1):.1f}%)")
        for t in scope:
            if status.get(t) != "pass":
                print(f"  {status.get(t, '?'):12} {t}")


if __name__ == "__main__":
    main()
