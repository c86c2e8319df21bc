"""The vocabulary of the 项目支出绩效目标申报表/批复表 form family, as printed across provinces.

Labels are compared after `norm_label`: no whitespace, full-width punctuation as ASCII, leading
enumerators (`(一)`, `1、`) and trailing colons removed, template guidance in brackets
(`(必填硬性指标)`, `(万元)`) dropped. Everything here is data plus small recognisers; the
interpreter, the header matcher and the project-block reader decide what to do with it.
"""

from __future__ import annotations

import re
from functools import lru_cache

# ------------------------------------------------------------------------------- punctuation
from jixiao.ingest.noise import FOLDABLE, fold_punct

# beyond the full-width ASCII variants the shared filter folds: brackets and dashes used alike
_MORE = str.maketrans({"【": "[", "】": "]", "〔": "[", "〕": "]", "—": "-", "–": "-"})
_WS = re.compile(r"[\s\u3000\xa0]+")
# a character `ascii_punct` maps (`noise._FOLD`'s and `_MORE`'s): most texts print none
_ASCII_PUNCT = re.compile(f"[{FOLDABLE}【】〔〕—–]")


@lru_cache(maxsize=65536)
def ascii_punct(text: str) -> str:
    """Full-width punctuation as ASCII (labels compare alike however they were typed)."""
    if _ASCII_PUNCT.search(text) is None:
        return text
    return fold_punct(text).translate(_MORE)


_ENUM = re.compile(
    r"^(?:[(][一二三四五六七八九十\d]{1,3}[)]|[一二三四五六七八九十]{1,3}[、.]|\d{1,2}[、.](?!\d))"
)
_BRACKET = re.compile(r"\([^()]{0,16}\)")


@lru_cache(maxsize=32768)
def norm_label(text: str) -> str:
    """'  (一)财政拨款小计：' → '财政拨款小计'; '项目资金(万元)' → '项目资金'."""
    s = ascii_punct(_WS.sub("", text or ""))
    s = _ENUM.sub("", s)
    s = s.strip(":*★")
    s = _BRACKET.sub("", s)
    return s.strip(":")


# ------------------------------------------------------------------------------- project block

# field → labels (normalised). The project block of every form seen: name, code, unit, money,
# goal. Priorities tell apart labels of one field where several are printed (the annual goal over
# the mid-term one, the budget unit over the department in charge).
KV_LABELS: dict[str, tuple[str, ...]] = {
    "name": (
        "项目名称",
        "项目支出名称",
        "二级项目名称",
        "申报项目名称",
        "专项名称",
        "转移支付名称",
        "项目(政策)名称",
        "政策名称",
    ),
    "name_parent": ("一级项目名称", "对应一级项目"),
    "code": ("项目编码", "项目代码", "项目编号", "项目ID", "项目库编码"),
    "unit": (
        "主管部门",
        "主管部门及编码",
        "主管部门及代码",
        "主管部门及单位编码",
        "预算单位及编码",
        "项目主管部门",
        "预算单位",
        "预算部门",
        "单位信息",
        "单位名称",
        "部门名称",
        "部门(单位)名称",
        "填报单位",
        "申报单位",
        "部门",
    ),
    "impl_unit": ("实施单位", "项目执行单位", "执行单位", "项目实施单位", "资金使用单位", "编报单位"),
    "total": (
        "预算数",
        "预算金额",
        "项目预算",
        "年度预算数",
        "预算资金",
        "资金总额",
        "年度资金总额",
        "当年资金总额",
        "项目资金",
        "预算总额",
        "年度预算",
        "预算申报数",
        "项目总预算",
        "当年年度预算",
        "项目总投资",
        "年度金额",
        "项目资金总额",
        "预算数合计",
        "资金总额合计",
        "年度资金",
    ),
    "fiscal": (
        "财政资金",
        "其中:财政资金",
        "财政拨款",
        "其中:财政拨款",
        "财政拨款资金",
        "其中:当年财政拨款",
        "财政拨款小计",
        "其中:财政拨款小计",
        "当年财政拨款",
        "公共财政拨款",
        "其中:财政拨款资金",
        "本级财政资金",
    ),
    "other": ("其他资金", "其中:其他资金", "其他来源资金", "其他收入", "其他", "当年其他资金"),
    "purpose": ("资金用途", "主要用途", "项目资金用途"),
    "section": ("预算规模及资金用途", "预算规模", "资金规模及用途", "项目资金情况", "资金情况"),
    "goal": (
        "绩效目标",
        "年度绩效目标",
        "项目绩效目标",
        "年度目标",
        "总体目标",
        "项目年度绩效目标",
        "本年度绩效目标",
        "整体目标",
        "年度总体目标",
        "年度主要目标和成果",
        "年度主要目标",
        "中期目标",
        "实施期绩效目标",
        "中长期绩效目标",
        "长期目标",
        "实施期目标",
        "绩效目标总体描述",
        "年度绩效目标内容",
        "部门年度目标",
        "整体绩效目标",
        "年度总体绩效目标",
    ),
    "unit_code": ("部门预算编码", "单位编码", "单位代码", "部门编码", "预算单位编码", "部门代码"),
    "other_kv": (
        "项目负责人",
        "项目属性",
        "项目类型",
        "联系电话",
        "项目期",
        "项目负责人及电话",
        "项目负责人及联系电话",
        "项目起止时间",
        "项目经办人",
        "项目经办人电话",
        "项目联系人",
        "项目分类",
        "建设周期",
        "项目审批",
        "项目支出实施期",
        "项目功能科目",
        "项目期限",
        "重要程度",
        "项目口径",
        "项目实施计划",
        "立项依据",
        "主要内容",
        "项目总体概况",
        "项目总体情况",
        "年度总体目标完成情况",
        "项目主要内容",
        "部门职能",
        "项目来源",
        "基本支出",
        "项目支出",
        "按收入性质分",
        "按支出性质分",
        "项目责任人",
        "单位(盖章)",
        "资金来源",
        # the provincial 项目支出预算申报表 forms' block: dates, the kind of money, the case for
        # the project and who runs and oversees it, the documents it rests on
        "项目开始日期",
        "项目完成日期",
        "资金性质",
        "基本情况",
        "项目立项必要性",
        "保证项目实施的制度措施",
        "组织实施单位",
        "监督管理单位",
        "政策依据",
        "其他依据",
        "需要说明的其他问题",
    ),
}

# goal labels by weight: the annual goal beats a generic one beats the mid-term one
GOAL_RANK: dict[str, int] = {
    "年度目标": 3,
    "本年度绩效目标": 3,
    "年度绩效目标": 3,
    "整体目标": 3,
    "年度总体目标": 3,
    "年度主要目标和成果": 3,
    "年度主要目标": 3,
    "项目年度绩效目标": 3,
    "年度绩效目标内容": 3,
    "部门年度目标": 3,
    "整体绩效目标": 3,
    "年度总体绩效目标": 3,
    "绩效目标": 2,
    "项目绩效目标": 2,
    "绩效目标总体描述": 2,
    "总体目标": 1,
    "中期目标": 0,
    "实施期绩效目标": 0,
    "中长期绩效目标": 0,
    "长期目标": 0,
    "实施期目标": 0,
}
# labels that head a group of goal labels printed beside them (总体目标 | 中期目标 | 年度目标)
GOAL_GROUP_HEADS = frozenset({"总体目标", "绩效目标", "项目绩效目标"})

# unit labels by weight (SCHEMA: the 预算单位/单位信息 where the form has one, else the 主管部门)
# generic labels that also head other tables (单位名称 | 单位性质 | …): a unit only inside a project block
GENERIC_UNIT_LABELS = frozenset({"单位名称", "部门名称", "部门", "填报单位", "预算部门", "申报单位"})
UNIT_RANK: dict[str, int] = {
    "预算单位": 3,
    "单位信息": 3,
    "单位名称": 3,
    "预算部门": 3,
    "部门(单位)名称": 3,
    "部门名称": 3,
    "填报单位": 1,
    "申报单位": 2,
}

_LABEL_FIELD: dict[str, str] = {lab: f for f, labs in KV_LABELS.items() for lab in labs}

# money labels by their parts: scope words, a money word (资金, 预算, 拨款, 投资, 金额, 经费),
# amount words; '其中' / 财政 / 其他 say which part of the total
_SCOPE = r"(?:年度|当年|本年度?|项目|本级|中央|省级|市级|县级|区级|下达|申请|计划|安排|总)"
_MONEY = r"(?:预算内投资|资金|预算|投资|金额|经费)"
_AMOUNT = r"(?:资金|金额|投资|数|总额|总计|合计|总数|申请数?|安排数?|规模)"
_TOTAL_RE = re.compile(rf"^{_SCOPE}*{_MONEY}{_AMOUNT}*$")
# a part of the money from a level of government, printed beside the total (上级资金, 中央补助安排)
_LEVEL = r"(上级|中央|省级|市级|县级|区级|本级)"
_SOURCE_RE = re.compile(r"^(该项目)?(支出)?" + _LEVEL + r"(财政)?(补助|专项|转移支付)?(资金|安排|补助)$")
# the unit that receives the money or asks for it (下达地方或单位, 主管部门及编码)
_UNIT_RE = re.compile(
    r"^(项目)?(主管|预算|申报|填报|下达)(部门|单位|地方)(或(部门|单位|地方))?(及(单位)?(编码|代码))?(名称)?$"
)

# the money-source labels that grammar names (`_SOURCE_RE`; 本级财政资金 is also a fiscal label),
# spelled out (中央补助安排, 省级财政安排, 县级专项资金): a text that prints its labels with no
# separator is cut at them like at any other block label
SOURCE_LABELS = frozenset(
    f"{level}{fin}{kind}{what}"
    for level in ("上级", "中央", "省级", "市级", "县级", "区级", "本级")
    for fin in ("", "财政")
    for kind in ("", "补助", "专项", "转移支付")
    for what in ("资金", "安排", "补助")
    if kind != what
)
_FISCAL_RE = re.compile(r"^(其中:?)?(当年|本级)?财政(资金|拨款)(资金|小计|合计|数)?$")
_OTHER_RE = re.compile(r"^(其中:?)?((当年)?其[他它](来源)?资金|(单位)?自筹(资金)?)(小计|合计|数)?$")


@lru_cache(maxsize=32768)
def kv_field(text: str) -> str | None:
    """The project-block field a label cell names, or None (`其中：财政拨款` → 'fiscal')."""
    if not text or len(text) > 40:
        return None
    s = norm_label(text)
    if not s or len(s) > 16:
        return None
    f = _LABEL_FIELD.get(s)
    if f:
        return f
    if _UNIT_RE.match(s):
        return "unit"
    if _SOURCE_RE.match(s):
        return "other_kv"
    if _FISCAL_RE.match(s):
        return "fiscal"
    if _OTHER_RE.match(s):
        return "other"
    if _TOTAL_RE.match(s):
        return "total"
    if re.search(r"权重|比例|比率|率$", s) and text.rstrip().endswith((":", "：")):
        return "other_kv"  # '预算执行率权重(%):' a label of the block with its value left blank
    if re.match(r"^(资金)?支出(进度)?计划", s):
        return "plan"
    return None


# labels that can open a cell whose value follows without a separator ("项目名称农村义务…")
_PREFIX_LABELS = sorted(
    {lab for labs in KV_LABELS.values() for lab in labs if len(lab) >= 4} | {"主管部门", "实施单位"},
    key=len,
    reverse=True,
)
_PREFIX_FIRST = frozenset(lab[0] for lab in _PREFIX_LABELS)
_PREFIX_RE = re.compile(
    "("
    + "|".join(re.escape(lab).replace(":", "[:：]?") for lab in _PREFIX_LABELS)
    + r")\s*(?:\([^()]{0,8}\))?\s*[:：]?"
)


def split_label_runs(text: str) -> list[tuple[str, str]] | None:
    """A cell that prints labels and their values run together → [(label, value), …].

    '项目主管部门青山区教育局项目执行单位化工区学校' → [('项目主管部门', '青山区教育局'),
    ('项目执行单位', '化工区学校')]. Labels come folded to ASCII punctuation (`ascii_punct`), values
    as printed. None unless the cell starts with a known label."""
    t = text.lstrip() if text else ""
    if not t or len(t) > 400 or t[0] not in _PREFIX_FIRST:
        return None
    runs = _split_label_runs(text)
    return list(runs) if runs is not None else None


@lru_cache(maxsize=32768)
def _split_label_runs(text: str) -> tuple[tuple[str, str], ...] | None:
    printed = text.strip()
    s = ascii_punct(printed)  # labels matched on the folded text; values cut from the printed one
    if len(s) > 400:
        return None
    m = _PREFIX_RE.match(s)
    if not m:
        return None
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _PREFIX_RE.finditer(s):
        if m.start() < pos:
            continue
        if out:
            label, _ = out[-1]
            out[-1] = (label, printed[pos : m.start()].strip())
        elif m.start() != 0:
            return None
        out.append((m.group(1), ""))
        pos = m.end()
        # a value that is itself long prose may contain label words: stop splitting there
        if out and len(out) > 1 and len(out[-2][1]) > 40:
            break
    label, _ = out[-1]
    out[-1] = (label, printed[pos:].strip())
    return tuple(out)


# ------------------------------------------------------------------------------- units and money

_UNIT_CODE = re.compile(
    r"^\s*(?:[\[(]\s*(?P<c1>\d{2,15})\s*[\])]|(?P<c2>\d{3,15})\s*[-_]|(?P<c3>\d{3,15})\s+)\s*(?P<name>\S.*?)\s*$"
)


def split_unit(text: str) -> tuple[str | None, str]:
    """'[015001]武汉市青山区教育局' → ('015001', '武汉市青山区教育局'); '324001-…机关', '414001 名称',
    '(433)名称' likewise; a name without a code → (None, name)."""
    t = ascii_punct(text.strip()).replace("[", "[").strip()
    m = _UNIT_CODE.match(t)
    if m and not re.match(r"^\d", m.group("name")):
        code = m.group("c1") or m.group("c2") or m.group("c3")
        # keep the name as printed (full-width brackets inside it included)
        raw = text.strip()
        idx = raw.find(m.group("name")[:2]) if m.group("name") else -1
        name = raw[idx:].strip() if idx >= 0 else m.group("name")
        return code, name
    return None, text.strip()


# an amount, after a label ('年度资金总额:50万') or a fund's name ('中央衔接…资金(少数民族发展任务)50'),
# before a note ('854万(高标准农田建设400万元…)') or a repeated copy ('854万854万')
_MONEY_TEXT = re.compile(
    r"^(?:[^\d\-:]{1,14}:|[^\d:]{2,40}?(?=\d[\d,.]*(?:万元|万|元)?$))?"
    r"(?P<num>-?\d[\d,]*(?:\.\d+)?)(?P<unit>万元|万|千元|亿元|元)?(?P<rest>$|[(\d].*$)"
)
MONEY_SCALE = {"万元": 1, "万": 1, "元": 0.0001, "千元": 0.1, "亿元": 10000}


def parse_money_text(text: str) -> tuple[str, str | None] | None:
    """'854万854万(…)' → ('854', '万'); '3,309,840.00' → ('3309840.00', None); '年度资金总额:50万' is
    read past its label. None when the text holds no amount."""
    s = ascii_punct(_WS.sub("", text or ""))
    if not s or s in ("-", "/", "无"):
        return None
    m = _MONEY_TEXT.match(s)
    if not m:
        return None
    num = m.group("num").replace(",", "")
    # a date or a code is not an amount
    if re.match(r"^(19|20)\d{2}([\-/年]\d|\.(0?[1-9]|1[0-2])(-|$))", s[m.start("num") :]):
        return None
    return num, m.group("unit")


# ------------------------------------------------------------------------------- levels

_L1_CORE = re.compile(
    r"^(项目)?(预期)?(实施效果|产出|效益|效果|满意度|成本|完成|社会公众或服务对象满意度|项目决策|项目管理|"
    r"项目产出|项目效益)(指标|值)?$"
)
_L2_CORE = re.compile(
    r"^(产出)?(数量|质量|时效|进度|成本|经济效益|社会效益|生态效益|环境效益|生态环境效益|可持续影响|"
    r"可持续性发展影响|可持续发展影响|可持续性影响|服务对象满意度|服务对象或受益者满意度|社会公众满意度|"
    r"社会公众或服务对象满意度|满意度|经济成本|社会成本|生态环境成本|经济|社会|生态|效益|效果|"
    r"产出|受益对象满意度|群众满意度|服务对象)(指标|值)$"
)
_POINTS = re.compile(r"\(?\(?[\d.\-~～ ]+分?\)?分?\)?$")


_LEVEL_POINTS = re.compile(
    r"\(\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?\)分$|\(\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?分?\)$"
)


def _has_any(text: str, chars: str) -> bool:
    for ch in chars:
        if ch in text:
            return True
    return False


def _level_core(text: str) -> str:
    s = ascii_punct(_WS.sub("", text or ""))
    return _LEVEL_POINTS.sub("", s) if s.endswith(("分", ")")) else s


@lru_cache(maxsize=32768)
def is_level1(text: str | None) -> bool:
    """产出指标, 效果指标, 项目完成指标, 产出值, 成本指标(0-20)分, 产 出 指 标 (50分) …"""
    if not text or not ("标" in text or "值" in text or _has_any(text, "产效满成")):
        return False  # the label ends in 指标 or 值 or is 产出 效益 效果 满意度 成本: most texts are none
    s = _level_core(text)
    return (
        bool(s)
        and len(s) <= 16
        and (s.endswith(("指标", "值")) or s in ("产出", "效益", "效果", "满意度", "成本"))
        and bool(_L1_CORE.match(s))
    )


@lru_cache(maxsize=32768)
def is_level2(text: str | None) -> bool:
    """数量指标, 社会效益指标, 数量值, 服务对象满意度指标 …"""
    if not text or ("标" not in text and "值" not in text):
        return False  # the label ends in 指标 or 值 (`_L2_CORE`): most texts print neither
    s = _level_core(text)
    return bool(s) and len(s) <= 20 and s.endswith(("指标", "值")) and bool(_L2_CORE.match(s))


@lru_cache(maxsize=32768)
def joins_level(first: str, second: str) -> bool:
    """A level label wrapped over two cells ('经济效益' / '指标', '项目完成' / '指标')."""
    if not _has_any(second, "标值产效满成") and not _has_any(first, "标值产效满成"):
        return False  # the joined text is no level label (`is_level1`, `is_level2`)
    a, b = _WS.sub("", first), _WS.sub("", second)
    if not a or not b or len(b) > 6:
        return False
    if is_level1(a) or is_level2(a):
        return False
    return (is_level1(a + b) or is_level2(a + b)) and not (is_level1(b) or is_level2(b))


# ------------------------------------------------------------------------------- other tables

SELF_EVAL_MARKS = (
    "全年预算数",
    "全年执行数",
    "实际完成值",
    "全年实际值",
    "自评",
    "执行率",
    "得分",
    "偏差原因",
    "实际完成情况",
)
MONITOR_MARKS = ("监控", "1-7月执行数", "执行进度", "预计年底", "偏差原因分析", "完成目标可能性")
SELF_EVAL_TITLE = re.compile(r"自评(表|报告)?|绩效评价")
MONITOR_TITLE = re.compile(r"监控(情况)?表")
DEPARTMENT_TITLE = re.compile(r"部门(整体)?(支出)?绩效目标(申报|批复)?表|整体支出绩效目标")
