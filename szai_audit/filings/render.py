"""A filing as a standalone HTML page, with the report's Jinja2 environment (autoescape on).

The page has inline CSS only: no script, no external URL, no font to fetch. Each part shows the
clauses it answers (the Shenzhen regulation's words quoted as shipped), its sentences, fields
and tables; a field a person must write is marked NEEDS_REVIEW, one drafted by the tool as
such, and the list of what remains to be written comes first.
"""

from __future__ import annotations

from typing import Any

from ..core.catalog import say
from ..core.findings import Status
from ..core.html import FONT_STACK, FONT_STACK_LATIN, environment, visible_text
from ..core.metadata import meta_message
from ..explain.public import banner_text

__all__ = ["render_filing", "text_filing"]

_HTML_LANG = {"zh": "zh-CN", "en": "en", "bilingual": "zh-CN"}


def render_filing(filing: Any, lang: str) -> str:
    """The HTML page of ``filing`` (a :class:`~szai_audit.filings.Filing`) in ``lang``."""
    src = filing.source
    meta = [
        m
        for m in (meta_message(src, k) for k in ("organisation", "system_name", "version"))
        if m is not None
    ]
    page = {
        "html_lang": _HTML_LANG[lang],
        "font_stack": FONT_STACK,
        "font_stack_latin": FONT_STACK_LATIN,
        "title": filing.title,
        "title_text": filing.title.en if lang == "en" else filing.title.zh,
        "meta": meta,
        "date": filing.date,
        "hash": src.get("audit_content_sha256"),
        "intro": filing.intro,
        "parts": filing.parts,
        "todo": filing.needs_review,
        "flagged": filing.flagged,
        "review_status": Status.NEEDS_REVIEW,
        "n_drafted": len(filing.drafted),
    }
    return environment().get_template("filing.html.j2").render(page=page, lang=lang)


_KIND_MARK = {"measured": "", "drafted": " [drafted]", "needs_review": " [NEEDS_REVIEW]"}


def text_filing(filing: Any, lang: str = "en") -> str:
    """``filing`` as plain text in one language (``"zh"`` or ``"en"``): each part's heading
    and clauses, its sentences, tables (cells joined by `` | ``, a marked row ending in ``*``,
    the table's note after it in brackets)
    and fields (``- label [kind]: value``, or the prompt when a person must write it; a value
    with lines to review line by line, each such line followed by its NEEDS_REVIEW banner); control
    and bidirectional formatting characters shown as escapes, as in the HTML page
    (:func:`~szai_audit.core.html.visible_text`)."""
    colon, semi = ("：", "；") if lang == "zh" else (": ", "; ")
    out = [filing.title[lang], f"{'日期' if lang == 'zh' else 'Date'}{colon}{filing.date}"]
    out += [say("report.committee.disclaimer")[lang], ""]
    out += [m[lang] for m in filing.intro]
    for i, part in enumerate(filing.parts, 1):
        out += ["", f"{i}. {part.heading[lang]}"]
        answers = semi.join(c.citation[lang] for c in part.answers)
        out.append(f"{'对应条款' if lang == 'zh' else 'Answers'}{colon}{answers}")
        out += [line for m in part.paragraphs for line in m[lang].split("\n")]
        for table in part.tables:
            out.append(f"{table.caption[lang]}{colon.strip()}")
            out.append("  " + " | ".join(c[lang] for c in table.columns))
            for j, row in enumerate(table.rows):
                mark = " *" if j in table.marked else ""
                out.append("  " + " | ".join(c[lang] for c in row) + mark)
            if table.note is not None:
                out.append(
                    f"  ({table.note[lang]})" if lang == "en" else f"  （{table.note[lang]}）"
                )
        for f in part.fields:
            if f.review:  # line by line, each line to review followed by its banner
                out.append(f"- {f.label[lang]}{_KIND_MARK[f.kind]}{colon.rstrip()}")
                for line, why in f.line_reviews():
                    out.append(f"    {line[lang]}")
                    if why is not None:
                        out.append(f"    {banner_text(Status.NEEDS_REVIEW, why)[lang]}")
                continue
            shown = f.prompt[lang] if f.value is None else f.value[lang].replace("\n", " / ")
            out.append(f"- {f.label[lang]}{_KIND_MARK[f.kind]}{colon}{shown}")
    return visible_text("\n".join(out) + "\n")
