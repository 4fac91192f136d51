"""`tinyc` on the command line when installed from the wheel: runs the packaged executable."""
import os
import sys

from ._cli import binary


def main() -> None:
    exe = binary()
    try:
        os.execv(exe, [exe, *sys.argv[1:]])
    except OSError as e:
        sys.stderr.write(f"tinyc: error: cannot run {exe}: {e.strerror}\n")
        sys.exit(3)


if __name__ == "__main__":
    main()
