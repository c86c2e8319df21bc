"""Last year's actuals (实际完成值), for the ambition rule: a target below what was already achieved.

A history is a list of records ``{"project": "…", "code": "…", "indicator": "…", "actual": "98%"}``
(``code`` optional), e.g. from last year's self-evaluation. Projects are matched by code first,
then by name; indicators by name (whitespace, punctuation and short annotations such as （%）
ignored).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jixiao.oserror import os_reason
from jixiao.review.facts import name_key


class HistoryError(ValueError):
    """A history file that cannot be used; the message names the file and the record."""


@dataclass
class History:
    by_code: dict[tuple[str, str], str] = field(default_factory=dict)
    by_name: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], source: str = "history") -> History:
        h = cls()
        for i, rec in enumerate(records, 1):
            if not isinstance(rec, Mapping):
                raise HistoryError(f"{source}: 第 {i} 条记录：应为一个对象（{{…}}）")
            ind, actual = rec.get("indicator"), rec.get("actual")
            if not ind or actual is None or str(actual).strip() == "":
                raise HistoryError(
                    f'{source}: 第 {i} 条记录：需要 "indicator"（指标名称）和 "actual"（实际完成值）'
                )
            if not rec.get("project") and not rec.get("code"):
                raise HistoryError(
                    f'{source}: 第 {i} 条记录：需要 "project"（项目名称）或 "code"（项目编码）'
                )
            k = name_key(str(ind))
            if rec.get("code"):
                h.by_code[(str(rec["code"]).strip(), k)] = str(actual)
            if rec.get("project"):
                h.by_name[(name_key(str(rec["project"])), k)] = str(actual)
        return h

    def actual(self, project_code: str | None, project_name: str | None, indicator_key: str) -> str | None:
        if project_code:
            got = self.by_code.get((project_code.strip(), indicator_key))
            if got is not None:
                return got
        if project_name:
            return self.by_name.get((name_key(project_name), indicator_key))
        return None

    def __len__(self) -> int:
        return max(len(self.by_code), len(self.by_name))


def load_history(path: str | Path) -> History:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise HistoryError(f"{path}: 无法读取文件：{os_reason(e)}") from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise HistoryError(f"{path}: 不是 JSON 文件：{e}") from e
    if not isinstance(data, list):
        raise HistoryError(f"{path}: 应为 JSON 记录列表（[{{…}}, …]）")
    return History.from_records(data, str(path))
