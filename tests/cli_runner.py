"""Run the `jixiao` command line inside the test process, as a user would see it in a terminal.

`run_cli(args)` calls `jixiao.cli.main.main(args)` with stdin, stdout and stderr replaced by UTF-8
streams over bytes (not terminals, like a pipe), and returns a `subprocess.CompletedProcess`: the
exit status (main's return value, or a `SystemExit`'s code such as argparse's 2; an uncaught
exception prints its traceback to stderr and gives 1, as the interpreter does) and the output as
text, or as bytes with `text=False` where binary output matters. `input` feeds stdin. The
environment and working directory are the test's (set them with `monkeypatch.setenv` /
`monkeypatch.chdir`, or pass `env=` / `cwd=` for this call only); whatever the command changes in
them (e.g. `jixiao demo` sets JIXIAO_DATABASE_URL) is undone afterwards.

Starting a Python process and Django costs a second or more per command; in process it is paid once.
What needs a process of its own stays a subprocess: the installed console script, servers and
workers, process limits and signals, start-up time and import laziness.

Database commands run on the database Django is already set up with: the test database of
pytest-django (use the `db` fixture). JIXIAO_DATABASE_URL and `jixiao demo --data DIR` cannot switch
it in process (Django sets up once per process), so a test about which file a command writes to
runs the command as a subprocess.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import traceback
from collections.abc import Mapping, Sequence
from typing import Any


def run_cli(
    args: Sequence[str | os.PathLike[str]],
    *,
    input: str | bytes | None = None,
    text: bool = True,
    env: Mapping[str, str | None] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> subprocess.CompletedProcess[Any]:
    """`jixiao ARGS` in this process: what `subprocess.run([... "jixiao", *args], capture_output=True,
    text=text, input=input)` would return. `env` sets (a value) or removes (None) variables for this
    call only; `cwd` is the working directory for this call only."""
    from jixiao.cli.main import main

    argv = [os.fspath(a) for a in args]
    data = input.encode("utf-8") if isinstance(input, str) else (input or b"")
    out, err = io.BytesIO(), io.BytesIO()
    streams = (io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"), _pipe(out), _pipe(err))
    saved = (sys.stdin, sys.stdout, sys.stderr)
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    try:
        for name, value in (env or {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin, sys.stdout, sys.stderr = streams
        code = _exit_status(main, argv)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        for stream in streams:
            stream.detach()  # flushed, and `out`/`err` stay open to read
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
    if text:
        return subprocess.CompletedProcess(
            argv, code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")
        )
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def _pipe(sink: io.BytesIO) -> io.TextIOWrapper:
    """A pipe-like UTF-8 text stream into `sink`: `.buffer` takes binary output, `isatty()` is false,
    and nothing waits in a buffer (text written before bytes lands before them)."""
    return io.TextIOWrapper(sink, encoding="utf-8", write_through=True)


def _exit_status(main: Any, argv: list[str]) -> int:
    """The status the process would exit with: as `sys.exit(main(argv))` in `python -m jixiao.cli`."""
    try:
        return int(main(argv) or 0)
    except SystemExit as e:
        if e.code is None:
            return 0
        if isinstance(e.code, int):
            return e.code
        print(e.code, file=sys.stderr)
        return 1
    except Exception:
        traceback.print_exc(file=sys.stderr)
        return 1
