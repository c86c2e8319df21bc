"""Helpers for the binary-format tests: field-by-field differences, LibreOffice conversion."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from jixiao.ingest.cells import CellStream, Para, Row


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx_files: list[Path], outdir: Path, fmt: str = "pdf") -> dict[Path, Path]:
    """Convert .docx files to PDF (or `fmt`, e.g. html) with LibreOffice in one run; .docx → output."""
    exe = soffice()
    assert exe, "soffice not installed"
    profile = outdir / "lo_profile"
    cmd = [
        exe,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        fmt,
        "--outdir",
        str(outdir),
        *map(str, docx_files),
    ]
    env = dict(os.environ, HOME=str(outdir))
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    out = {p: outdir / f"{p.stem}.{fmt}" for p in docx_files}
    missing = [str(p) for p, q in out.items() if not q.exists()]
    assert not missing, f"LibreOffice did not convert {missing}: {done.stdout} {done.stderr}"
    return out


def diff(expected: Any, got: Any, path: str = "") -> list[str]:
    """Every place where two model dicts differ, as 'path: expected … got …' lines."""
    out: list[str] = []
    if isinstance(expected, dict) and isinstance(got, dict):
        for k in list(expected) + [k for k in got if k not in expected]:
            out += diff(expected.get(k, "<missing>"), got.get(k, "<missing>"), f"{path}.{k}")
    elif isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            out.append(f"{path}: {len(expected)} items expected, got {len(got)}")
        for i, (x, y) in enumerate(zip(expected, got, strict=False)):
            out += diff(x, y, f"{path}[{i}]")
    elif expected != got:
        out.append(f"{path}: expected {expected!r}, got {got!r}")
    return out


def blocks(stream: CellStream) -> list[tuple]:
    """A stream as plain tuples: ('P', text) and ('R', table id, [cell texts])."""
    out: list[tuple] = []
    for b in stream.blocks:
        if isinstance(b, Para):
            out.append(("P", b.text))
        else:
            assert isinstance(b, Row)
            out.append(("R", b.table, b.texts))
    return out


def rows(stream: CellStream) -> list[list[str]]:
    return [b.texts for b in stream.blocks if isinstance(b, Row)]


def paras(stream: CellStream) -> list[str]:
    return [b.text for b in stream.blocks if isinstance(b, Para)]
