"""Run the ``cloudsms`` command for a test: in this process, or in a fresh interpreter.

Most command-line tests check what a command prints and the status it exits with. They
go through `in_process`, which calls `cloudsms.cli.main` as ``python -m cloudsms``
does (argparse's SystemExit gives its status) with standard output and standard error
read as UTF-8 text, and returns what `fresh` returns for the same arguments. Starting an
interpreter costs each such test more than the command itself. Each command family
keeps tests through `fresh`, a real ``python -m cloudsms`` in a fresh interpreter, so
the entry point, the interpreter's own streams and the exit status are still proved as
a user meets them.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from typing import TYPE_CHECKING

from cloudsms.cli import main

if TYPE_CHECKING:
    from pathlib import Path


def fresh(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m cloudsms`` with ``args`` in a fresh interpreter (in ``cwd``)."""
    return subprocess.run(
        [sys.executable, "-m", "cloudsms", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def _text(stream: io.TextIOWrapper) -> str:
    """What was written to ``stream``, its line ends read as ``text=True`` reads them."""
    with contextlib.suppress(ValueError):  # the command may have closed it
        stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return io.TextIOWrapper(io.BytesIO(buffer.getvalue()), encoding="utf-8").read()


class _Kept(io.BytesIO):
    """A byte buffer whose contents outlive a close (a command may close standard error)."""

    def close(self) -> None:
        """Keep the bytes: the test reads them after the command returns."""


def in_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``cloudsms`` with ``args`` in this process (in ``cwd``); what `fresh` gives."""
    out = io.TextIOWrapper(_Kept(), encoding="utf-8", newline="")
    err = io.TextIOWrapper(_Kept(), encoding="utf-8", newline="")
    where = contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext()
    with where, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as exc:  # argparse: bad usage (2) or --help (0)
            status = exc.code if isinstance(exc.code, int) else 1
    return subprocess.CompletedProcess(
        ["cloudsms", *args], status, stdout=_text(out), stderr=_text(err)
    )
