"""Open Office Open XML packages (.docx, .xlsx) safely: check the zip before anything loads it.

A truncated or corrupt archive becomes a `ReadError` with a clear message, and a zip bomb (huge
uncompressed sizes, absurd compression ratios, thousands of members) is refused from the central
directory alone, before a single member is decompressed.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from jixiao.ingest.cells import ReadError
from jixiao.model import Location

MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 100 * 1024 * 1024  # one uncompressed part
MAX_TOTAL_BYTES = 300 * 1024 * 1024  # all parts together
MAX_RATIO = 200  # uncompressed ÷ compressed, for parts above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024

DOCUMENT = Location(line=1)  # a whole-file problem: reported as `FILE: line 1: message`


def open_package(data: bytes, name: str, kind: str, required: str) -> zipfile.ZipFile:
    """Open `data` as a zip holding `required` (e.g. 'word/document.xml'), or raise ReadError.

    `kind` names the expected format in messages ('.docx', '.xlsx').
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise ReadError(name, f"not a valid {kind} file: the zip archive is truncated or corrupt ({e})",
                        DOCUMENT) from e
    except (OSError, ValueError, EOFError) as e:
        raise ReadError(name, f"not a valid {kind} file: cannot read the zip archive ({e})", DOCUMENT) from e
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ReadError(name, f"refused: the {kind} archive has {len(infos)} parts (limit {MAX_MEMBERS})",
                        DOCUMENT)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES:
            raise ReadError(name, f"refused: part {info.filename} unpacks to {info.file_size} bytes "
                                  f"(limit {MAX_MEMBER_BYTES}); possible zip bomb", DOCUMENT)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ReadError(name, f"refused: part {info.filename} is compressed {ratio}:1; possible zip bomb",
                            DOCUMENT)
    if total > MAX_TOTAL_BYTES:
        raise ReadError(name, f"refused: the {kind} archive unpacks to {total} bytes "
                              f"(limit {MAX_TOTAL_BYTES}); possible zip bomb", DOCUMENT)
    names = {i.filename for i in infos}
    if required not in names:
        raise ReadError(name, f"not a {kind} document: the zip archive has no {required}", DOCUMENT)
    # a truncated archive can have an intact central directory copy but damaged members
    bad = _first_bad_member(zf, required)
    if bad:
        raise ReadError(name, f"not a valid {kind} file: part {bad} is damaged (truncated download?)",
                        DOCUMENT)
    return zf


def _first_bad_member(zf: zipfile.ZipFile, required: str) -> str | None:
    try:
        with zf.open(required) as f:
            while f.read(1 << 20):
                pass
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        return required
    return None
