"""The generator reaches every op tinyc supports (issue 17: "covers every op with a C kernel").

coverage.py <tinyc> [max_graphs]: generates graphs from seed 0 on until every op that `tinyc ops`
lists has appeared (QuantizeLinear and DequantizeLinear through the quantized graphs), and fails
naming the ops that did not appear within max_graphs (default 3000), except the ops listed, each
with its reason, in not_generated.txt (a listed op that appears fails the run: delete its line)."""
import collections
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402


def main():
    tinyc = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    listed = subprocess.run([tinyc, "ops"], check=True, capture_output=True, text=True).stdout.split("\n")
    ops = {line.split()[0] for line in listed if line.strip()}
    here = os.path.dirname(os.path.abspath(__file__))
    pending = set()
    with open(os.path.join(here, "not_generated.txt")) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                pending.add(line)
    ops -= pending
    seen = collections.Counter()
    n = 0
    while n < limit and not ops <= set(seen):
        _, info = gen.generate(n)
        seen.update(info["ops"])
        n += 1
    missing = sorted(ops - set(seen))
    if missing:
        print(f"FAIL: {len(missing)} of {len(ops)} ops never generated in {n} graphs: {' '.join(missing)}")
        return 1
    made = sorted(pending & set(seen))
    if made:
        print(f"FAIL: listed in not_generated.txt but generated: {' '.join(made)} (delete their lines)")
        return 1
    print(f"ok: all {len(ops)} required ops of `tinyc ops` generated within {n} graphs "
          f"({len(pending)} listed in not_generated.txt, not generated yet)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
