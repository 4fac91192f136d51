"""Finds the tinyc executable and runs it: the one place where the Python API meets the CLI."""
from __future__ import annotations

import os
import sys
import shutil
import subprocess
from pathlib import Path
from typing import List, Optional, Sequence

from .errors import error_for


def binary() -> str:
    """The tinyc executable: $TINYC_BINARY, else the one installed with this package, else PATH."""
    env = os.environ.get("TINYC_BINARY")
    if env:
        return env
    packaged = Path(__file__).resolve().parent / "bin" / "tinyc"
    if packaged.is_file() and os.access(packaged, os.X_OK):
        return str(packaged)
    found = shutil.which("tinyc")
    if found and Path(found).resolve() != Path(sys.argv[0]).resolve():
        return found
    raise FileNotFoundError("tinyc: the tinyc executable is not installed with this package and not on PATH "
                            "(set TINYC_BINARY to its path)")


def option_args(options: dict) -> List[str]:
    """Keyword arguments as CLI options: calib_method='mse' -> --calib-method mse; True -> a flag;
    False/None -> left out; a list or tuple -> the option repeated (prune_layer=['a=0.5', 'b=0.25'])."""
    args: List[str] = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-") if len(key) > 1 else "-" + key
        if value is None or value is False:
            continue
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple)):
            for v in value:
                args += [flag, str(v)]
        else:
            args += [flag, str(value)]
    return args


def run(args: Sequence[str], *, cwd: Optional[str] = None, ok_codes: Sequence[int] = (0,)) -> subprocess.CompletedProcess:
    """Runs `tinyc ARGS`; a non-zero exit raises the TinycError of that exit code with tinyc's own
    message (its last line on stderr). stderr otherwise passes through (warnings, progress)."""
    env = dict(os.environ)
    env.setdefault("NO_COLOR", "1")
    proc = subprocess.run([binary(), *map(str, args)], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode not in ok_codes:
        raise error_for(proc.returncode, proc.stderr, proc.stdout)
    return proc
