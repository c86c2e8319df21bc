"""Open Office Open XML packages (.docx, .xlsx) safely: check the zip before anything loads it.

A truncated or corrupt archive becomes a `ReadError` with a clear message, and a zip bomb (huge
uncompressed sizes, absurd compression ratios, thousands of members) is refused from the central
directory alone, before a single member is decompressed. Python's zipfile never inflates a member
past the size the central directory declares, so checking the declared sizes bounds what any
reader (ours or openpyxl) can unpack. Every path that opens a workbook or Word file goes through
`open_package` (the readers, the 监控表/自评表 workbook uploads).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from jixiao.ingest.cells import ReadError
from jixiao.ingest.limits import (
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    MAX_XML_BYTES,
    RATIO_FLOOR,
    mb,
)
from jixiao.model import Location

DOCUMENT = Location(line=1)  # a whole-file problem: reported as `FILE: line 1: message`

# what a damaged or hostile archive can raise from zipfile and zlib (NotImplementedError: an
# unknown compression method or a "version needed to extract" above what zipfile supports)
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    KeyError,
    NotImplementedError,
    RuntimeError,
    UnicodeDecodeError,
    OverflowError,
)


def open_package(data: bytes, name: str, kind: str, required: str) -> zipfile.ZipFile:
    """Open `data` as a zip holding `required` (e.g. 'word/document.xml'), or raise ReadError.

    `kind` names the expected format in messages ('.docx', '.xlsx').
    """
    return _open(data, name, kind, required, None)


def open_package_part(data: bytes, name: str, kind: str, required: str) -> tuple[zipfile.ZipFile, bytes]:
    """`open_package`, and the bytes of `required` that its check for a damaged member has just
    decompressed (the same bytes `read_part` would return), so the reader need not inflate the
    part a second time."""
    kept: list[bytes] = []
    zf = _open(data, name, kind, required, kept)
    return zf, b"".join(kept)


def _open(data: bytes, name: str, kind: str, required: str, keep: list[bytes] | None) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except NotImplementedError as e:  # "zip file version 9.9": the version it needs, in Chinese
        need = "".join(re.findall(r"\d+(?:\.\d+)*", str(e))[:1])
        detail = f"（需要 zip 版本 {need}）" if need else ""
        message = f"不是有效的 {kind} 文件：zip 压缩包使用了不支持的格式{detail}"
        raise ReadError(name, message, DOCUMENT) from e
    except zipfile.BadZipFile as e:
        raise ReadError(name, f"不是有效的 {kind} 文件：zip 压缩包已截断或损坏", DOCUMENT) from e
    except ZIP_ERRORS as e:
        raise ReadError(name, f"不是有效的 {kind} 文件：无法读取 zip 压缩包", DOCUMENT) from e
    if len(infos) > MAX_MEMBERS:
        raise ReadError(
            name, f"拒绝读取：{kind} 压缩包有 {len(infos)} 个部件（上限 {MAX_MEMBERS} 个）", DOCUMENT
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES:
            raise ReadError(
                name,
                f"拒绝读取：部件 {info.filename} 解压后 {mb(info.file_size)}"
                f"（上限 {mb(MAX_MEMBER_BYTES)}），疑似 zip 炸弹",
                DOCUMENT,
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ReadError(
                name, f"拒绝读取：部件 {info.filename} 的压缩比为 {ratio}:1，疑似 zip 炸弹", DOCUMENT
            )
        if info.filename.lower().endswith((".xml", ".rels")) and info.file_size > MAX_XML_BYTES:
            raise ReadError(
                name,
                f"拒绝读取：部件 {info.filename} 解压后 {mb(info.file_size)}"
                f"（XML 部件上限 {mb(MAX_XML_BYTES)}）",
                DOCUMENT,
            )
        if info.flag_bits & 0x1:
            raise ReadError(
                name, f"不是有效的 {kind} 文件：部件 {info.filename} 已加密（受密码保护）", DOCUMENT
            )
    if total > MAX_TOTAL_BYTES:
        raise ReadError(
            name,
            f"拒绝读取：{kind} 压缩包解压后共 {mb(total)}（上限 {mb(MAX_TOTAL_BYTES)}），疑似 zip 炸弹",
            DOCUMENT,
        )
    names = {i.filename for i in infos}
    if required not in names:
        raise ReadError(name, f"不是 {kind} 文档：zip 压缩包中没有 {required}", DOCUMENT)
    # a truncated archive can have an intact central directory copy but damaged members
    bad = _first_bad_member(zf, required, keep)
    if bad:
        raise ReadError(name, f"不是有效的 {kind} 文件：部件 {bad[0]} 已损坏（下载不完整？）", DOCUMENT)
    return zf


def read_part(zf: zipfile.ZipFile, part: str, name: str, kind: str) -> bytes:
    """One member's bytes; a damaged member is a ReadError (KeyError when it is missing)."""
    try:
        return zf.read(part)
    except KeyError:
        raise
    except ZIP_ERRORS as e:
        raise ReadError(
            name, f"不是有效的 {kind} 文件：部件 {part} 已损坏（{type(e).__name__}）", DOCUMENT
        ) from e


def _first_bad_member(
    zf: zipfile.ZipFile, required: str, keep: list[bytes] | None = None
) -> tuple[str, str] | None:
    """Decompress `required` to its end (zipfile checks its CRC there); its bytes are appended to
    `keep` when given (read at once, as `read_part` would), else dropped chunk by chunk."""
    try:
        with zf.open(required) as f:
            if keep is not None:
                keep.append(f.read())
            else:
                while f.read(1 << 20):
                    pass
    except ZIP_ERRORS as e:
        return required, f"{type(e).__name__}：{e}"
    return None
