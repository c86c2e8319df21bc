"""PDF through LibreOffice: `soffice --headless --convert-to pdf` in a temporary directory.

Only the Writer component is needed (Debian: libreoffice-writer-nogui, plus fonts-noto-cjk for the
Chinese text), so the .docx versions of the tables are the ones converted. Each conversion runs with
its own LibreOffice profile in the temporary directory (so it neither touches the user's profile nor
waits on another running instance) and a timeout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from jixiao.oserror import os_reason

DEFAULT_TIMEOUT = 180.0


class PdfError(RuntimeError):
    """The PDF could not be made; the message says why and what to install."""


def soffice_path() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes, *, timeout: float = DEFAULT_TIMEOUT, name: str = "document") -> bytes:
    """The PDF bytes of a .docx document; PdfError when LibreOffice is missing, fails or times out."""
    exe = soffice_path()
    if exe is None:
        raise PdfError(
            "需要 LibreOffice 才能生成 PDF：未找到 soffice（Debian/Ubuntu: "
            "apt-get install libreoffice-writer-nogui fonts-noto-cjk fonts-liberation）；"
            "也可以导出 .docx 后自行转换"
        )
    with tempfile.TemporaryDirectory(prefix="jixiao-pdf-") as tmp:
        work = Path(tmp)
        src = work / f"{name}.docx"
        src.write_bytes(data)
        cmd = [
            exe,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(src),
        ]
        env = dict(os.environ, HOME=str(work))
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice 转换 PDF 超时（{timeout:g} 秒）") from None
        except OSError as e:
            raise PdfError(f"无法运行 LibreOffice（{exe}）：{os_reason(e)}") from None
        pdf = work / f"{name}.pdf"
        if done.returncode != 0 or not pdf.exists():
            detail = (done.stderr or done.stdout or "").strip().splitlines()
            raise PdfError("LibreOffice 未能生成 PDF" + (f"：{detail[-1]}" if detail else ""))
        return pdf.read_bytes()
