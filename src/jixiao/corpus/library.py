"""The indicator library (指标库), learned from the corpus rather than curated by hand.

For a kind of project — the department type (from the unit's name, else the project's: 市场监管,
教育, 卫生健康 …) and words of the project's name (食品抽检, 培训 …) — it lists under each category
(一级/二级, canonical) the indicators units actually use: how many units and projects use each, the
usual unit, comparator and values (median and quartiles of the numbers in the usual unit, the most
frequent printed values), and real examples with their unit, year and project.

Indicator names are grouped once spaces, punctuation and digits are removed (`compare.names_agree`'s
normal form); the printed name shown is the most frequent one. Pure: works on the same DataFrame as
`compare` (the data set's indicator columns).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jixiao.corpus.compare import bigrams, category_of, name_key, prepare
from jixiao.taxonomy import LEVEL1, LEVEL2

__all__ = [
    "DEPARTMENT_TYPES",
    "Department",
    "Example",
    "Library",
    "LibraryCategory",
    "LibraryIndicator",
    "build_library",
    "department_type",
    "format_library",
    "library_to_dict",
    "project_matches",
]

# department type → words of unit (or project) names; the first type with a word in the name wins,
# so narrower types come before broader ones (医疗保障 before 卫生健康, 环境卫生 before 卫生)
DEPARTMENT_TYPES: list[tuple[str, tuple[str, ...]]] = [
    ("市场监管", ("市场监督", "市场监管", "食品药品", "质量技术监督", "工商行政", "知识产权")),
    ("医疗保障", ("医疗保障", "医保")),
    ("城市管理", ("环境卫生", "环卫", "城市管理", "城管", "园林", "绿化", "市容")),
    ("教育", ("教育", "学校", "中学", "小学", "幼儿园", "学院", "大学", "附小", "职业技术", "教研")),
    ("卫生健康", ("卫生健康", "卫健", "卫生", "医院", "疾病预防", "疾控", "妇幼", "计划生育")),
    ("农业农村", ("农业", "农村", "畜牧", "农机", "渔业", "兽医", "乡村振兴", "扶贫")),
    ("水利", ("水利", "水务", "河道", "水库")),
    ("交通运输", ("交通", "公路", "运输")),
    ("民政", ("民政", "养老", "殡葬", "救助")),
    ("民族宗教", ("民族", "宗教")),
    ("财政", ("财政",)),
    ("文化旅游", ("文化", "旅游", "文旅", "文物", "融媒体", "广播电视", "图书馆", "博物馆")),
    ("体育", ("体育",)),
    ("应急管理", ("应急", "消防", "安全生产", "防汛")),
    ("科技工信", ("科技", "科经", "工业和信息化", "经信", "工信", "经济和信息化")),
    ("人力社保", ("人力资源", "社会保障", "人社", "就业")),
    ("自然资源", ("自然资源", "国土", "规划", "林业", "草原")),
    ("生态环境", ("生态环境", "环境保护", "环保")),
    ("住房城建", ("住房", "城乡建设", "住建", "建设局")),
    ("公安司法", ("公安", "司法", "法院", "检察", "政法")),
    ("供销商务", ("供销", "商务")),
    ("党委机关", ("党史", "地方志", "党委", "组织部", "宣传部", "统战", "纪委", "机关事务")),
    ("乡镇街道", ("镇人民政府", "乡人民政府", "街道办事处", "镇政府", "乡政府", "街道")),
    ("政府办公", ("人民政府", "政府办公室")),
]
OTHER = "其他"


def department_type(unit_name: Any, project_name: Any = None) -> str:
    """The kind of department a unit is, from words of its name (else of the project's name)."""
    for text in (unit_name, project_name):
        if not isinstance(text, str) or not text:
            continue
        for kind, words in DEPARTMENT_TYPES:
            if any(w in text for w in words):
                return kind
    return OTHER


_WORDS = re.compile(r"[\s,，、;；/]+")


def project_matches(project_name: Any, words: str | None) -> bool:
    """A project's name fits the query words: each word inside the name, or, for a query written as
    one phrase, at least half of its character pairs in the name (食品抽检 fits 食品安全抽检经费)."""
    if not words:
        return True
    name = name_key(project_name)
    if not name:
        return False
    parts = [w for w in (name_key(x) for x in _WORDS.split(words)) if w]
    if not parts:
        return True
    if all(w in name for w in parts):
        return True
    q = set().union(*(bigrams(w) for w in parts))
    return len(q & bigrams(name)) / len(q) >= 0.5


@dataclass
class Example:
    unit_name: str | None
    unit_region: str | None
    year: int | None
    project: str | None
    name: str | None
    value: str | None


@dataclass
class LibraryIndicator:
    name: str  # the most frequent printed name
    names: list[str]  # every printed spelling grouped here
    units: int  # distinct units using it
    uses: int  # indicator rows
    usual_unit: str | None  # the most frequent unit of its numbers (scales folded in)
    usual_op: str | None  # the most frequent comparator
    median: float | None  # of the numbers in the usual unit
    q1: float | None
    q3: float | None
    values: list[tuple[str, int]]  # the most frequent printed values, with counts
    examples: list[Example] = field(default_factory=list)


@dataclass
class LibraryCategory:
    level1: str | None
    level2: str | None
    indicators: list[LibraryIndicator] = field(default_factory=list)


@dataclass
class Department:
    name: str
    units: int
    projects: int
    indicators: int


@dataclass
class Library:
    department: str | None
    project_words: str | None
    units: int = 0
    projects: int = 0
    categories: list[LibraryCategory] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)  # every type, when none was asked


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _year(v: Any) -> int | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else int(v)


def _with_kind(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [
        (_str(u) or "", _str(p) or "") for u, p in zip(frame["unit_name"], frame["project_name"], strict=True)
    ]
    kinds = {k: department_type(*k) for k in set(keys)}
    return frame.assign(
        department=[kinds[k] for k in keys],
        _project=[
            f"{a}|{b}|{c}"
            for a, b, c in zip(frame["sha256"], frame["path"], frame["project_seq"], strict=True)
        ],
    )


def _category_order(cat: tuple[str | None, str | None]) -> tuple[int, int]:
    l1, l2 = cat
    return (LEVEL1.index(l1) if l1 in LEVEL1 else 99, LEVEL2.index(l2) if l2 in LEVEL2 else 99)


def _most(c: Counter) -> Any:
    return max(c, key=lambda k: (c[k], k)) if c else None


def _indicator(rows: list[Any], n_examples: int) -> LibraryIndicator:
    """One library entry from its indicator rows (namedtuples of the prepared frame)."""
    names = Counter(_str(r.name) or "" for r in rows)
    numbers: dict[str, list[float]] = {}
    for r in rows:
        if r.cmp_unit is not None and not math.isnan(r.cmp_num):
            numbers.setdefault(r.cmp_unit, []).append(r.cmp_num)
    usual_unit = max(numbers, key=lambda u: (len(numbers[u]), u)) if numbers else None
    med = q1 = q3 = None
    if usual_unit is not None:
        q1, med, q3 = (float(x) for x in np.quantile(np.array(numbers[usual_unit]), [0.25, 0.5, 0.75]))
    ops = Counter(r.target_op for r in rows if isinstance(r.target_op, str))
    values = Counter(v for v in (_str(r.value) for r in rows) if v)
    examples: list[Example] = []
    seen: set[str] = set()
    newest_first = sorted(rows, key=lambda r: (-(_year(r.year) or 0), _str(r.unit_name) or ""))
    for r in newest_first:
        if r.cmp_uid in seen:
            continue
        seen.add(r.cmp_uid)
        examples.append(
            Example(_str(r.unit_name), _str(r.unit_region), _year(r.year), _str(r.project_name), _str(r.name),
                    _str(r.value))
        )  # fmt: skip
        if len(examples) >= n_examples:
            break
    return LibraryIndicator(
        name=_most(names),
        names=sorted(names),
        units=len({r.cmp_uid for r in rows}),
        uses=len(rows),
        usual_unit=usual_unit,
        usual_op=_most(ops),
        median=med,
        q1=q1,
        q3=q3,
        values=sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:3],
        examples=examples,
    )


def build_library(
    frame: pd.DataFrame,
    *,
    department: str | None = None,
    project_words: str | None = None,
    top: int = 10,
    examples: int = 3,
) -> Library:
    """The library for a department type and/or project name words (neither: every project, and
    the list of department types found)."""
    lib = Library(department, project_words)
    if frame.empty:
        return lib
    f = _with_kind(prepare(frame))
    if department is None and project_words is None:
        for kind, g in f.groupby("department"):
            lib.departments.append(
                Department(str(kind), g["cmp_uid"].nunique(), g["_project"].nunique(), len(g))
            )
        lib.departments.sort(key=lambda d: (-d.units, -d.indicators, d.name))
    if department:
        f = f[f["department"] == department]
    if project_words:
        names = f["project_name"].drop_duplicates()
        ok = {n for n in names if project_matches(n, project_words)}
        f = f[f["project_name"].isin(ok)]
    if f.empty:
        return lib
    lib.units = f["cmp_uid"].nunique()
    lib.projects = f["_project"].nunique()
    groups: dict[tuple[str, str], list[Any]] = {}
    cols = [
        "name", "value", "target_op", "year", "unit_name", "unit_region", "project_name",
        "level1_canonical", "level2_canonical", "cmp_num", "cmp_unit", "cmp_uid", "cmp_cat", "cmp_key",
    ]  # fmt: skip
    for r in f[cols].itertuples(index=False, name="Row"):
        if r.cmp_key:
            groups.setdefault((r.cmp_cat, r.cmp_key), []).append(r)
    cats: dict[tuple[str | None, str | None], list[LibraryIndicator]] = {}
    for rows in groups.values():
        cat = category_of(rows[0].level1_canonical, rows[0].level2_canonical)
        cats.setdefault(cat, []).append(_indicator(rows, examples))
    for cat in sorted(cats, key=_category_order):
        items = sorted(cats[cat], key=lambda x: (-x.units, -x.uses, x.name))[:top]
        lib.categories.append(LibraryCategory(cat[0], cat[1], items))
    return lib


def library_to_dict(lib: Library) -> dict[str, Any]:
    return asdict(lib)


def _fmt(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


_OPS = {">=": "≥", "<=": "≤", ">": "＞", "<": "＜", "=": "＝", "range": ""}


def format_library(lib: Library) -> str:
    """The library as Chinese text."""
    lines: list[str] = []
    if lib.departments:
        lines.append("部门类型（单位数、项目数、指标数）：")
        lines += [
            f"  {d.name}：{d.units} 个单位，{d.projects} 个项目，{d.indicators} 个指标"
            for d in lib.departments
        ]
        lines.append("")
    what = "，".join(
        x for x in (lib.department, f"项目名称含“{lib.project_words}”" if lib.project_words else None) if x
    )
    lines.append(f"指标库（{what or '全部项目'}）：{lib.units} 个单位，{lib.projects} 个项目")
    if not lib.categories:
        lines.append("  语料库中没有符合条件的项目")
    for c in lib.categories:
        lines.append(f"{c.level1 or '未分类'} / {c.level2 or '未分类'}")
        for i in c.indicators:
            usual = ""
            if i.usual_unit is not None:
                op = _OPS.get(i.usual_op or "", "")
                usual = f"；常用 {op}{_fmt(i.median)} {i.usual_unit}（四分位 {_fmt(i.q1)}–{_fmt(i.q3)}）"
            vals = "、".join(f"{v}（{n}）" for v, n in i.values)
            lines.append(f"  {i.name}：{i.units} 个单位，{i.uses} 次{usual}；常见值 {vals}")
            for e in i.examples:
                lines.append(
                    f"      例：{e.unit_name or ''} {e.year or ''}"
                    f"「{e.project or ''}」{e.name or ''}：{e.value or ''}"
                )
    return "\n".join(lines)
