"""The readers' cheap tests before their patterns (`header.cell_scores`, `vocab.is_level1`/`is_level2`/
`joins_level`) must never turn away a text a pattern would match: each test here draws texts that a
pattern matches (hypothesis builds them from the pattern itself) and checks the prefilter lets them
through. A pattern added or widened without its prefilter fails here, not silently in a parse."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.ingest import header, vocab


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_field_pattern_needs_one_of_its_words(data: st.DataObject) -> None:
    for fld, pat, _score, needs in header._FIELD_TESTS:
        text = data.draw(st.from_regex(pat), label=fld)
        if len(text) > 24 or "(" in text or ")" in text:
            continue  # cell_scores never asks a pattern about these texts as they are
        assert any(w in text for w in needs), (fld, pat.pattern, text)
        assert header._FIELD_CHAR.search(text), (fld, pat.pattern, text)


_FIELD_TEXTS = st.one_of(*(st.from_regex(t[1], fullmatch=True) for t in header._FIELD_TESTS))


@settings(max_examples=200, deadline=None)
@given(text=_FIELD_TEXTS)
def test_cell_scores_finds_what_the_patterns_find(text: str) -> None:
    s = text.strip()
    if not s or len(s) > 24 or "(" in s or ")" in s or s[0].isdecimal() or s[0] in header._GROUP_FIRST:
        return  # the group qualifiers rewrite these first
    expected: dict[str, float] = {}
    for fld, pat, score, _needs in header._FIELD_TESTS:
        if pat.search(s) and score > expected.get(fld, 0):
            expected[fld] = score
    assert dict(header.cell_scores(text)[1]) == expected


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_group_patterns_start_as_the_prefilter_says(data: st.DataObject) -> None:
    for pat in (header._GROUP_WHOLE, header._GROUP_PREFIX):
        text = data.draw(st.from_regex(pat, fullmatch=True))
        assert text[0].isdecimal() or text[0] in header._GROUP_FIRST, (pat.pattern, text)
    text = data.draw(st.from_regex(header._GROUP, fullmatch=True))
    assert text.endswith(")"), text


def _old_level_core(text: str) -> str:
    s = vocab.ascii_punct(re.sub(r"[\s\u3000\xa0]+", "", text or ""))
    return vocab._LEVEL_POINTS.sub("", s) if s.endswith(("分", ")")) else s


def _old_is_level1(text: str) -> bool:
    s = _old_level_core(text)
    return (
        bool(s)
        and len(s) <= 16
        and bool(vocab._L1_CORE.match(s))
        and (s.endswith(("指标", "值")) or s in ("产出", "效益", "效果", "满意度", "成本"))
    )


def _old_is_level2(text: str) -> bool:
    s = _old_level_core(text)
    return bool(s) and len(s) <= 20 and bool(vocab._L2_CORE.match(s))


_SPACED = st.sampled_from(["", " ", "\u3000", "(20分)", "（10分）", "(0-20)分"])


@settings(max_examples=300, deadline=None)
@given(
    core=st.one_of(*(st.from_regex(p, fullmatch=True) for p in (vocab._L1_CORE, vocab._L2_CORE))),
    gap=st.sampled_from(["", " ", "\u3000"]),
    tail=_SPACED,
    cut=st.integers(min_value=1, max_value=8),
)
def test_level_labels_pass_their_prefilters(core: str, gap: str, tail: str, cut: int) -> None:
    text = gap.join(core) + tail
    assert vocab.is_level1(text) == _old_is_level1(text), text
    assert vocab.is_level2(text) == _old_is_level2(text), text
    a, b = core[:cut], core[cut:]
    if a and b:  # a label wrapped over two cells: the prefilter must not refuse the pair
        joined = (_old_is_level1(a + b) or _old_is_level2(a + b)) and not (
            _old_is_level1(b) or _old_is_level2(b) or _old_is_level1(a) or _old_is_level2(a)
        )
        assert vocab.joins_level(a, b) == (joined and len(b) <= 6), (a, b)
