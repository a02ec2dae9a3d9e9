"""The per-article table counts every finding shown with a badge (issue 31, item 3): the risk
tier's line on page 1 is counted in the Art. 66 row, which no longer reads 0 beside a badge."""

from __future__ import annotations

import re

import pytest

from szai_audit.core.articles import RISK
from szai_audit.core.findings import Status
from szai_audit.report.conclusion import statements
from szai_audit.report.summary import article_rows, article_totals, governance_page


def _badged(result, article: str) -> list[Status]:
    """Independently: the statuses shown with a badge for ``article``: each of its findings
    (one line each in part 2 and in the appendix of every check), and each of its page-1
    lines that names no finding of the audit."""
    shown = [f.status for f in result.findings if f.article == article]
    checks = {f.check for f in result.findings}
    for block in statements(result):
        if block["article"] != article:
            continue
        for s in block["statements"]:
            if not {c.split("@")[0] for c in s.checks} & checks:
                shown.append(s.status)
    return shown


@pytest.mark.parametrize("demo", ["credit_demo", "pricing_demo"])
def test_every_article_row_counts_every_badge_of_its_article(demo, request):
    result = request.getfixturevalue(demo)
    rows = article_rows(result)
    assert {r["article"] for r in rows} >= {RISK, "72(4)", "71", "33", "72"}
    for row in rows:
        badged = _badged(result, row["article"])
        counts = dict(row["counts"])
        assert sum(counts.values()) == row["total"] == len(badged), row["article"]
        for status in Status:
            assert counts[status] == badged.count(status), (row["article"], status)
        if badged:
            assert row["worst"] == min(badged, key=lambda s: s.severity)
    # The risk tier (a grading, not a check) is counted: its row is never 0 beside a badge.
    (risk_row,) = [r for r in rows if r["article"] == RISK]
    assert result.risk is not None
    assert risk_row["total"] == 1 and risk_row["page_lines"] == 1
    # the totals add the rows: every check, and the tier's line
    totals = article_totals(rows)
    assert totals["total"] == len(result.findings) + 1
    assert totals["page_lines"] == 1
    assert sum(n for _, n in totals["counts"]) == totals["total"]
    assert governance_page(result)["article_totals"] == totals


def test_the_rendered_risk_row_shows_its_count(credit_demo, tmp_path):
    path = tmp_path / "r.html"
    credit_demo.to_html(path, lang="zh")
    page = path.read_text(encoding="utf-8")
    table = page[page.index('class="articles-table"') :]
    table = table[: table.index("</table>")]
    row = re.search(r'<tr>\s*<th scope="row"><a href="#risk">.*?</tr>', table, re.S)
    assert row is not None
    assert re.findall(r'<td class="num[^"]*">(\d+)</td>', row.group(0))[-1] == "1"


def test_age_is_said_to_be_audited_under_and_the_like(credit_demo, pricing_demo, tmp_path):
    # Issue 31, item 5: where the report introduces the grounds (under the words of Art.
    # 72(2)(iv)), it says which the item names and that age is audited under its "等".
    from szai_audit.core.grounds import grounds_basis
    from szai_audit.report.body import findings_by_article

    (body,) = [a for a in findings_by_article(credit_demo) if a["article"] == "72(4)"]
    note = body["grounds_note"]
    assert note is not None
    assert note.zh == (
        "性别、国籍为第七十二条第二款第（四）项明列的事由；年龄未列明，按该项“等”字所含的事由审计。"
    )
    assert "age is not, and is audited under the item’s “and the like”" in note.en
    path = tmp_path / "r.html"
    credit_demo.to_html(path, lang="zh")
    page = path.read_text(encoding="utf-8")
    section = page[page.index('id="body-72-4"') :]
    assert section.index("年龄未列明") < section.index('<table class="compact">')
    # only the named grounds: nothing to explain; a ground the item does not name: said
    assert grounds_basis(["gender", "religion"]) is None
    assert "region (hukou) is not named" in grounds_basis(["region"]).en.lower()
    assert all(
        a["grounds_note"] is None
        for a in findings_by_article(pricing_demo)
        if a["article"] != "72(4)"
    )
