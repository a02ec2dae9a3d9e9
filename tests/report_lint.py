"""A linter for the report as a committee reads it (issue 14, item 10).

:func:`lint` reads a rendered report and returns its problems, each a short string naming the
rule and quoting the offending text:

* ``identifier``: an ASCII identifier of the data (a column name, or a raw category value
  that got no label) inside a Chinese sentence, or in a chart of a Chinese report;
* ``sign``: "+-", "+−" or a sign glued to a comparison ("比参照组+4.8%", "多付 +4.8%");
* ``money``: an amount of money with more than two decimals, or "CNY" in Chinese;
* ``citation``: an article cited in another form than 第七十二条第二款第（四）项 / Art. 72(2)(iv),
  第三十三条第二款 / Art. 33(2), 第六十六条第二款 / Art. 66(2) (the supervision of each tier),
  第六十六条第三款 / Art. 66(3) (the city's grading measures);
* ``claim``: words that find guilt ("不符合项", "构成直接歧视", "violation");
* ``code``: code or API names in Chinese sentences ("privacy=", "Attestation", ">= 27");
* ``prose``: code in prose (issue 31, item 7), in either language: the word ``None``; a dotted
  identifier (``medium.high_impact_domain``, ``model.predict(data)``); an arrow (← → ⇒); a bare
  setting or column key in snake case (``selection_rate_ratio_min``); a keyword argument
  (``privacy=True``). Technical names stay allowed inside ``<code>``/``<pre>`` and in an element
  of class ``technical`` (the method and reproducibility appendices); the arrow of a link to an
  action (class ``action-ref``) is navigation, not prose;
* ``spacing``: in Chinese text, a space next to Chinese punctuation ("。 （", "（未调整） 1.6%"),
  and a full stop closing a quotation before a comma ("。”，", issue 31, item 9);
* ``language``: on a page in one language, text in the other (issue 30, item 6): an English
  sentence on a Chinese page, any Chinese on an English page, as
  :func:`szai_audit.core.metadata.stray_language` finds them in each piece of visible text (the
  text between two tags). The page's language is given (``lang=``) or read from its
  ``<body class="lang-zh">``; a bilingual page is not checked by this rule.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Iterable
from html.parser import HTMLParser

from szai_audit.core.metadata import stray_language

__all__ = [
    "chinese_texts",
    "language_problems",
    "lint",
    "outstanding",
    "page_lang",
    "prose_problems",
    "visible_text",
]

_SKIP = {"style", "script", "code", "pre", "title"}
#: Classes whose text may hold technical names (the method and reproducibility appendices).
_TECHNICAL = "technical"
#: Classes whose text is navigation (the "→ action 3" link after a finding).
_NAV = "action-ref"
#: Elements that start a new line: the spaces between them are not seen.
_BLOCKS = {
    "p",
    "li",
    "ul",
    "ol",
    "div",
    "section",
    "table",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "caption",
    "dl",
    "dt",
    "dd",
    "header",
    "footer",
    "main",
    "nav",
    "blockquote",
    "summary",
    "details",
    "svg",
    "text",
}


class _Texts(HTMLParser):
    """Collects visible text, and separately the text inside lang="zh-CN" elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool, bool, bool]] = []  # tag, zh, skip, tech, nav
        self.zh: list[str] = []
        self.all: list[str] = []
        self.prose: list[tuple[str, bool]] = []  # text outside technical parts, is navigation
        self.flow: list[str] = []  # the visible text as it runs, a line break at each block
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        parent_zh = self.stack[-1][1] if self.stack else False
        parent_skip = self.stack[-1][2] if self.stack else False
        classes = (a.get("class") or "").split()
        zh = a.get("lang") == "zh-CN" or (parent_zh and a.get("lang") != "en")
        skip = parent_skip or tag in _SKIP or "regulation" in (a.get("class") or "")
        tech = (self.stack[-1][3] if self.stack else False) or _TECHNICAL in classes
        nav = (self.stack[-1][4] if self.stack else False) or _NAV in classes
        if tag in _BLOCKS or tag in {"br", "hr"}:
            self.flow.append("\n")
        if tag in {"code", "pre"}:
            self.flow.append("\ufffc")  # stands for the code, which is not read
        if tag in {"br", "img", "meta", "link", "input", "hr", "wbr"}:
            return
        if zh and not parent_zh and not skip:
            self.zh.append("")
        self.stack.append((tag, zh, skip, tech, nav))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.flow.append("\n")
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        skip = self.stack[-1][2] if self.stack else False
        if skip:
            return
        self.all.append(data)
        self.flow.append(data)
        if not (self.stack and self.stack[-1][3]):
            self.prose.append((data, bool(self.stack and self.stack[-1][4])))
        if self.stack and self.stack[-1][1] and self.zh:
            self.zh[-1] += data


def _parse(page: str) -> _Texts:
    p = _Texts()
    body = page.split("<body", 1)[-1]
    p.feed("<body" + body)
    return p


def chinese_texts(page: str) -> list[str]:
    """The texts of the report's Chinese elements (code, styles and quoted law left out)."""
    return [t.strip() for t in _parse(page).zh if t.strip()]


def visible_text(page: str) -> str:
    """All text a reader sees (outside styles, scripts and code)."""
    return _html.unescape(" ".join(_parse(page).all))


_CITATION_WRONG = [
    (re.compile(r"第七十二条第（[一二三四五六七]）项"), "第七十二条第（…）项 without 第二款"),
    # Art. 72 has three paragraphs: 72(1) and 72(3) are paragraphs, 72(4) to 72(7) items
    (re.compile(r"Art(?:icle|\.)\s?72\([4-7]\)"), "Art. 72(n) instead of Art. 72(2)(roman)"),
    (re.compile(r"Article\s\d"), "'Article N' instead of 'Art. N'"),
    (re.compile(r"第三十三条(?!第二款)"), "第三十三条 without 第二款"),
    (re.compile(r"第六十六条(?!第[二三]款)"), "第六十六条 without 第二款 or 第三款"),
    (re.compile(r"Art\.\s?33(?!\(2\))"), "Art. 33 without (2)"),
    (re.compile(r"Art\.\s?66(?!\([23]\))"), "Art. 66 without (2) or (3)"),
]
_SIGNS = re.compile(
    r"\+\s?[-\u2212]|[-\u2212]\s?\+|比[^，。；、\s]{0,24}[+＋\u2212-]\s?\d|多付\s?[+＋]|少付\s?[\u2212-]"
)
_MONEY = re.compile(r"\d\.\d{3,}\s?(?:元|yuan)|(?:元|yuan|CNY)\s?\d+\.\d{3,}")
_CLAIMS = re.compile(r"不符合项|构成直接歧视|违规|violation|violates", re.IGNORECASE)
_CODE = re.compile(
    r"[A-Za-z_]\w*\s?(?:>=|<=|==|!=)\s?\d|\b\w+=|Attestation|result\.\w+|\bmetadata\b"
)


_NONE = re.compile(r"(?<![\w.])None(?![\w.])")
_DOTTED = re.compile(
    r"(?<![\w@./:-])[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+(?:\([^()\s]*\))?"
)
_ARROW = re.compile(r"[←→⇒⟶↦⇐]")
_SNAKE = re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])")
_KEYWORD = re.compile(r"(?<![\w.])[A-Za-z_]\w*=(?!=)")
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
#: The tool's own name, which a report may print (its footer, the version row).
_TOOL = re.compile(r"\bszai_audit\b")
#: Abbreviations that look like dotted names: e.g., i.e., U.S. (one-letter parts).
_ABBREVIATION = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")
#: Space beside Chinese punctuation, and a full stop closing a quotation before a comma.
_SPACING = re.compile(
    r"[^\s][ \u3000]+[，。；：、）》」』”]"  # a space before closing punctuation
    r"|[（《「『“][ \u3000]+"  # after opening punctuation
    r"|[，。；：、）][ \u3000]+(?=[^\s/A-Za-z·→])"  # after closing punctuation, before more text
    r"|。”，"
)


def prose_problems(page: str) -> list[str]:
    """The ``prose`` rule: code in the text a person reads (outside ``<code>``, ``<pre>``, the
    technical appendices and, for arrows, the links to actions)."""
    problems = []
    for raw, nav in _parse(page).prose:
        text = _TOOL.sub(" ", _ADDRESS.sub(" ", _html.unescape(raw)))
        found = [m.group(0) for m in _NONE.finditer(text)]
        found += [
            m.group(0) for m in _DOTTED.finditer(text) if not _ABBREVIATION.fullmatch(m.group(0))
        ]
        found += [m.group(0) for m in _SNAKE.finditer(text)]
        found += [m.group(0) for m in _KEYWORD.finditer(text)]
        if not nav:
            found += [m.group(0) for m in _ARROW.finditer(text)]
        problems += [f"prose: {w!r} in {text.strip()[:120]!r}" for w in found]
    return problems


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*(?:[ /.-][A-Za-z0-9_]+)*", text))


def page_lang(page: str) -> str | None:
    """The language of a page in one language, from its ``<body class="lang-zh">`` (or
    ``lang-en``); None for a bilingual page or one that does not say."""
    m = re.search(r'<body\b[^>]*\bclass="[^"]*\blang-(zh|en)\b', page)
    return m.group(1) if m else None


def language_problems(page: str, lang: str) -> list[str]:
    """The ``language`` rule: the stretches of the other language on a page in ``lang``."""
    other = {"zh": "an English sentence on a Chinese page", "en": "Chinese on an English page"}
    problems = []
    for text in _parse(page).all:
        for stretch in stray_language(text, lang):
            problems.append(f"language: {other[lang]}: {stretch!r} in {text.strip()[:120]!r}")
    return problems


#: Problems of the demo reports whose text lives outside this change's reach, each with its
#: owner (issue 31): the risk package (another item of the issue) and page 1's layout (the
#: lead's rebuild). Remove an entry once its owner has fixed it; the test then holds it.
PENDING: tuple[str, ...] = ()  # every problem of issue 31 is fixed; add one only with its owner


def outstanding(problems: list[str]) -> list[str]:
    """``problems`` without those :data:`PENDING` lists (owned by another part of issue 31)."""
    return [p for p in problems if not any(k in p for k in PENDING)]


def lint(
    page: str, identifiers: Iterable[str] = (), lang: str | None = None, prose: bool = True
) -> list[str]:
    """The problems of a rendered report (an empty list when it is clean).

    ``identifiers`` are the data's column names and raw category values: none may appear in a
    Chinese sentence. ``lang`` is the page's one language, ``"zh"`` or ``"en"`` (read from the
    page when not given; a bilingual page has none): no text in the other language. ``prose``
    (default True) applies the ``prose`` and ``spacing`` rules of issue 31 (the filings, whose
    tables name columns, are not held to them yet).
    """
    problems: list[str] = []
    lang = lang or page_lang(page)
    if lang in ("zh", "en"):
        problems += language_problems(page, lang)
    ids = {i for i in identifiers if re.search(r"[A-Za-z]", i)}
    zh_texts = chinese_texts(page)
    for text in zh_texts:
        for word in ids:
            if re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", text):
                problems.append(f"identifier: {word!r} in {text[:120]!r}")
        if "CNY" in text:
            problems.append(f"money: 'CNY' in {text[:120]!r}")
        for m in _CODE.finditer(text):
            problems.append(f"code: {m.group(0)!r} in {text[:120]!r}")
    if prose:
        problems += prose_problems(page)
    if prose and lang != "en":  # spaces a reader sees, within a sentence or between two elements
        flow = "".join(_parse(page).flow)
        for m in _SPACING.finditer(flow):
            start = max(0, m.start() - 30)
            problems.append(f"spacing: {m.group(0)!r} in {flow[start : m.end() + 30]!r}")
    if 'class="lang-zh"' in page:  # a Chinese report: its charts' text is Chinese too
        for raw in re.findall(r"<text\b[^>]*>([^<]*)</text>", page):
            text = _html.unescape(raw)
            for word in ids:
                if re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", text):
                    problems.append(f"identifier: {word!r} in a chart: {text[:80]!r}")
    everything = visible_text(page)
    for rule, pattern in (("sign", _SIGNS), ("money", _MONEY), ("claim", _CLAIMS)):
        for m in pattern.finditer(everything):
            start = max(0, m.start() - 40)
            problems.append(f"{rule}: {m.group(0)!r} in {everything[start : m.end() + 40]!r}")
    for pattern, what in _CITATION_WRONG:
        for m in pattern.finditer(everything):
            start = max(0, m.start() - 30)
            problems.append(f"citation: {what}: {everything[start : m.end() + 30]!r}")
    return problems
