"""Every paragraph (款) a citation names is the paragraph of the shipped text that holds the
words it quotes (issue 31, item 6): Art. 66(3) for the city's grading measures."""

from __future__ import annotations

import re

import pytest

from szai_audit.core.articles import CHECKLIST_ITEMS, GRADING_MEASURES, PROVISIONS, Provision
from szai_audit.core.regulation import article_paragraphs, locate, regulation_text
from szai_audit.filings.citations import cn_number, shenzhen

_CITATION = re.compile(r"^第([一二三四五六七八九十]+)条(?:第([一二三四五六七八九十]+)款)?")


def _cited(p: Provision) -> tuple[int, int | None]:
    m = _CITATION.match(p.citation.zh)
    assert m, p.citation.zh
    numbers = {cn_number(n): n for n in range(1, 100)}
    return numbers[m.group(1)], (numbers[m.group(2)] if m.group(2) else None)


_ALL = [*PROVISIONS.values(), *CHECKLIST_ITEMS.values(), GRADING_MEASURES]


@pytest.mark.parametrize("p", _ALL, ids=[p.key for p in _ALL])
def test_the_cited_paragraph_holds_the_quoted_words(p: Provision) -> None:
    article, paragraph = _cited(p)
    where = locate(p.text.zh)
    assert where, f"{p.key}: not found in the shipped text"
    assert {a for a, _ in where} == {article}, (p.key, where)
    if paragraph is not None:
        assert where == [(article, paragraph)], (p.key, p.citation.zh, where)
    # the English citation names the same article and paragraph
    en = f"Art. {article}" + ("" if paragraph is None else f"({paragraph})")
    assert p.citation.en.startswith(en), (p.citation.en, en)


def test_grading_measures_are_the_third_paragraph_of_art_66() -> None:
    assert GRADING_MEASURES.citation.zh == "第六十六条第三款"
    assert GRADING_MEASURES.citation.en == "Art. 66(3)"
    paragraphs = article_paragraphs()[66]
    assert len(paragraphs) == 3
    assert paragraphs[2] == GRADING_MEASURES.text.zh
    # the duties of the tiers are the second paragraph
    assert paragraphs[1].startswith("高风险的人工智能应用应当采用事前评估和风险预警")


def test_an_inline_space_after_a_full_stop_is_a_paragraph_break() -> None:
    # Art. 6 is printed in two paragraphs by the published text; the shipped copy joins them
    # with a space
    line = next(x for x in regulation_text().splitlines() if x.startswith("第六条"))
    assert "。 市发展改革" in line
    assert len(article_paragraphs()[6]) == 2
    assert article_paragraphs()[6][1].startswith("市发展改革")
    # two articles on one line are still two articles
    assert article_paragraphs()[29][0].startswith("市政务服务数据管理部门")
    # items belong to the paragraph that lists them
    assert len(article_paragraphs()[72]) == 3
    assert "（四）" in article_paragraphs()[72][1] or "(四)" in article_paragraphs()[72][1]
    assert sorted(article_paragraphs()) == list(range(1, 74))


def test_filings_cite_the_paragraph_they_quote() -> None:
    for key in PROVISIONS:
        clause = shenzhen(key)
        assert clause.quote is not None
        m = re.search(_CITATION.pattern.lstrip("^"), clause.citation.zh)
        assert m
        numbers = {cn_number(n): n for n in range(1, 100)}
        article = numbers[m.group(1)]
        where = locate(clause.quote.zh)
        assert {a for a, _ in where} == {article}
        if m.group(2):
            assert (article, numbers[m.group(2)]) in where, (key, clause.citation.zh, where)
