"""The documentation: it builds with mkdocs in strict mode (every page in the nav, no broken link
or anchor), and the reference pages agree with the code they describe (policy defaults,
configuration keys, articles, runnable quick start)."""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docs_pages import read_page, section

import szai_audit as sa
from szai_audit import _config

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"

ARTICLE_PAGES = {
    # page: (the article as the page's title names it, the article's number in Chinese)
    "article-72-4": ("Art. 72(2)(iv)", "第七十二条"),
    "article-72-5": ("Art. 72(2)(v)", "第七十二条"),
    "article-71": ("Art. 71", "第七十一条"),
    "article-66": ("Art. 66", "第六十六条"),  # the whole article: its three paragraphs
    "article-72": ("Art. 72", "第七十二条"),
    "article-33": ("Art. 33(2)", "第三十三条第二款"),
}
PAGES = (
    "index",
    "quickstart",
    "concepts",
    *ARTICLE_PAGES,
    "method",
    "configuration",
    "cli",
    "api",
    "checks",
    "architecture",
    "errors",
    "json-schema",
)

# Keys of the sections _config.py reads without a constant listing them. Each must still be
# read by the code (checked against _config_keys_in_code) and documented in its section.
SECTION_KEYS = {
    "data": {"path"},
    "model": {"path", "trusted", "trusted_types"},
    "output": {"html", "json", "lang", "filings"},
    "filings": {"kinds", *sa.filings.OPTIONS},
}


def test_docs_build_strict(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    for page in PAGES:
        built = "index.html" if page == "index" else f"{page}/index.html"
        assert (tmp_path / "site" / built).exists(), page
    method = (tmp_path / "site" / "method" / "index.html").read_text(encoding="utf-8")
    assert "SOURCE_DATE_EPOCH" in method and "Privacy of the report" in method


# --------------------------------------------------------------------------------------------
# Concepts: every Policy setting with its real default
# --------------------------------------------------------------------------------------------


def _policy_rows() -> dict[str, str]:
    """``| `name` | `default` | ...`` rows of the policy table in concepts.md."""
    rows = {}
    for line in section(read_page("concepts"), "The policy").splitlines():
        match = re.match(r"\|\s*`(\w+)`\s*\|\s*`([^`]+)`\s*\|", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_concepts_lists_every_policy_setting_with_its_default():
    rows = _policy_rows()
    fields = {f.name: f.default for f in dataclasses.fields(sa.Policy)}
    assert set(rows) == set(fields), (
        f"missing {sorted(set(fields) - set(rows))}, unknown {sorted(set(rows) - set(fields))}"
    )
    for name, default in fields.items():
        documented = ast.literal_eval(rows[name])
        assert type(documented) is type(default) and documented == default, (
            f"{name}: documented {rows[name]}, code {default!r}"
        )


def test_concepts_names_every_status():
    table = section(read_page("concepts"), "Status")
    for status in sa.Status:
        assert f"| `{status.value}` |" in table, status


# --------------------------------------------------------------------------------------------
# Configuration reference: every section and key _config.py accepts
# --------------------------------------------------------------------------------------------


def _config_keys_in_code() -> set[str]:
    """String keys _config.py reads: ``x["key"]``, ``x.get("key")``, ``x.pop("key")``,
    ``"key" in x`` (internal keys, starting with ``_``, left out)."""
    tree = ast.parse(Path(_config.__file__).read_text(encoding="utf-8"))
    keys: set[str] = set()

    def text(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and text(node.slice):
            keys.add(text(node.slice))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "pop")
            and node.args
            and text(node.args[0])
        ):
            keys.add(text(node.args[0]))
        elif (
            isinstance(node, ast.Compare)
            and text(node.left)
            and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops)
        ):
            keys.add(text(node.left))
    return {k for k in keys if not k.startswith("_")}


def test_configuration_documents_every_section():
    text = read_page("configuration")
    for name in _config._SECTIONS:
        assert f"\n## `[{name}]`\n" in text, f"no section for [{name}]"


def test_configuration_documents_every_key_in_its_section():
    text = read_page("configuration")
    expected = {
        "columns": set(_config._ROLES),
        "audit": set(_config._AUDIT_KEYS),
        "context": {f.name for f in dataclasses.fields(sa.UseContext)},
        **SECTION_KEYS,
    }
    for name, keys in expected.items():
        body = section(text, f"`[{name}]`")
        for key in keys:
            assert f"| `{key}` |" in body, f"[{name}] {key} is not in its table"


def test_configuration_documents_every_key_the_code_reads():
    text = read_page("configuration")
    in_code = _config_keys_in_code()
    # [filings] is passed on whole to the filings' own checks, as [policy] is to Policy
    assert _config._KEYS["filings"] == SECTION_KEYS["filings"]
    listed = set().union(*(keys for name, keys in SECTION_KEYS.items() if name != "filings"))
    assert listed <= in_code, f"no longer read by _config.py: {sorted(listed - in_code)}"
    missing = sorted(k for k in in_code if f"`{k}`" not in text and f"`[{k}]`" not in text)
    assert not missing, f"read by _config.py but not in configuration.md: {missing}"


def test_configuration_examples_are_accepted():
    """Every TOML block of the page uses only sections, roles and keys the code accepts."""
    blocks = re.findall(r"```toml\n(.*?)```", read_page("configuration"), re.S)
    assert blocks
    for block in blocks:
        config = _config.tomllib.loads(block)
        assert set(config) <= _config._SECTIONS, block
        assert set(config.get("columns", {})) <= _config._ROLES, block
        assert set(config.get("audit", {})) <= _config._AUDIT_KEYS, block
        assert set(config.get("data", {})) <= SECTION_KEYS["data"], block
        assert set(config.get("model", {})) <= SECTION_KEYS["model"], block
        assert set(config.get("output", {})) <= SECTION_KEYS["output"], block
        assert set(config.get("filings", {})) <= SECTION_KEYS["filings"], block
        sa.Policy(**config.get("policy", {}))
        if "context" in config:
            sa.UseContext(**config["context"])


# --------------------------------------------------------------------------------------------
# Article pages, README links, quick start
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(ARTICLE_PAGES))
def test_article_page_names_and_quotes_its_article(page):
    english, chinese = ARTICLE_PAGES[page]
    text = read_page(page)
    title = text.splitlines()[0]
    assert title.startswith(f"# {english}:") or title == f"# {english}", title
    quote = "\n".join(line for line in text.splitlines() if line.startswith(">"))
    assert chinese in quote, f"{page} does not quote {chinese}"
    assert "Assumptions and limits" in text, f"{page} states no assumptions and limits"


def test_readme_links_into_docs_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)#\s]+)", readme)
    assert links
    for link in links:
        assert (ROOT / link).is_file(), link


@pytest.mark.slow
def test_quickstart_python_runs(tmp_path):
    """The Python blocks of the quick start run, in order, as written."""
    blocks = re.findall(r"```python\n(.*?)```", read_page("quickstart"), re.S)
    assert len(blocks) >= 2
    script = tmp_path / "quickstart.py"
    script.write_text("\n".join(blocks), encoding="utf-8")
    # One OpenMP thread: gradient boosting (proxies) crawls when threads outnumber free cores.
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "<AuditResult verdict=" in out.stdout
    assert (tmp_path / "report.html").exists() and (tmp_path / "report.json").exists()


def test_concepts_holds_the_decision_table_the_code_applies():
    """The decision rule in docs/concepts.md is ``decision_table()``, the rule ``Measured``
    applies (tests/test_decisions.py checks each row on data)."""
    from szai_audit.core.judging import decision_table

    assert read_page("concepts").count(decision_table()) == 1
    method = read_page("method")
    for test in ("Miettinen-Nurminen", "exact unconditional", "Benjamini-Hochberg", "HC1"):
        assert test in method, test


def test_method_states_the_family_the_interval_rule_and_the_floor_as_coded():
    """docs/method.md holds ``method_text()`` once, word for word: the family, the interval
    rule and the overlap floor ``finalize`` and ``MeasuredTwice`` apply; and no sentence of the
    audit-wide family it replaced is left."""
    from szai_audit.core.judging import method_text

    method = read_page("method")
    assert method.count(method_text()) == 1
    for page in ("concepts", "method", "article-72-4", "article-72-5", "architecture"):
        assert "audit-wide" not in read_page(page), page


def test_checks_page_is_the_registry():
    """docs/checks.md is its introduction, then the registry's tables as ``markdown_table()``
    writes them, once: everything from the first table to the end of the page is that text
    (a copy left behind, or a table edited by hand, fails)."""
    from szai_audit.core.checks import all_checks, markdown_table

    page = read_page("checks")
    first = page.index("\n| check |") + 1
    assert "|" not in page[:first], "a table before the registry's"
    assert page[first:] == markdown_table(), "run: python -m szai_audit.core.checks docs/checks.md"
    ids = [c.id for c in all_checks()]
    assert len(ids) == len(set(ids)) >= 35
    for check in all_checks():  # every declared computing function exists
        assert callable(check.compute_function()), check.id


def test_architecture_page_lists_the_layers_and_five_steps():
    text = read_page("architecture")
    for package in ("core/", "inputs/", "pipelines/", "report/", "fairness/", "pricing/"):
        assert package in text, package
    steps = section(text, "To add a check")
    assert [
        line[:2] for line in steps.splitlines() if line[:2] in {"1.", "2.", "3.", "4.", "5."}
    ] == [
        "1.",
        "2.",
        "3.",
        "4.",
        "5.",
    ]
    assert "docs/architecture.md" in (ROOT / "README.md").read_text(encoding="utf-8")


FILING_PAGES = {
    "algorithm": "algorithm",
    "pia": "pia",
    "ethics": "ethics",
    "bias-audit": "bias_audit",
}


@pytest.mark.parametrize("page", FILING_PAGES)
def test_each_filing_page_shows_what_the_demo_prints(credit_demo, page):
    """Every line of a filing page's worked example is a line of the demo's filing."""
    text = (DOCS / "filings" / f"{page}.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```text\n(.*?)```", text, re.S)
    assert blocks, f"docs/filings/{page}.md has no worked example"
    printed = credit_demo.filing(FILING_PAGES[page], date="2026-12-04").to_text("en")
    lines = set(printed.splitlines())
    shown = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(shown) >= 5
    assert [line for line in shown if line not in lines] == []


# --------------------------------------------------------------------------------------------
# What the README and the article pages say the code does
# --------------------------------------------------------------------------------------------


def _readme_part(word: str) -> str:
    """The README's paragraph or bullet holding ``word``, on one line."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parts = re.split(r"\n\s*\n|\n(?=\* )", readme)
    found = [" ".join(p.split()) for p in parts if word in " ".join(p.split())]
    assert len(found) == 1, f"{len(found)} README paragraphs say {word!r}"
    return found[0]


def test_readme_says_which_intervals_the_findings_carry():
    """A finding's interval is the one its test inverts (Miettinen-Nurminen score intervals
    for rates, normal ones for the other estimates), not a bootstrap one: the README says so,
    and keeps the bootstrap for the rates of the group tables, which is what the code does."""
    import numpy as np

    from szai_audit.core.margins import score_interval

    bullet = _readme_part("Benjamini-Hochberg")
    assert "Miettinen-Nurminen score intervals" in bullet and "normal intervals" in bullet
    assert re.search(r"bootstrap[^;]*\bfindings?\b", bullet) is None, bullet
    assert "bootstrap intervals on every rate of the group tables" in bullet
    pricing = _readme_part('task="pricing"` compares prices')
    assert "bootstrap" not in pricing.split("re-prices")[0], pricing
    # The code: the parity finding's interval is the score interval of its pair's counts.
    g = np.repeat(["a", "b"], 200)
    y = np.r_[np.ones(90), np.zeros(110), np.ones(140), np.zeros(60)].astype(int)
    result = sa.Audit(y_pred=y, sensitive={"race": g}, explain=False).run(random_state=0)
    parity = next(f for f in result.findings if f.check == "fairness.demographic_parity_difference")
    level = parity.details["ci_level"]  # the level its status rests on (docs/method.md)
    lo, hi = score_interval(140, 200, 90, 200, scale="diff", level=level)
    assert parity.ci == pytest.approx((float(lo[0]), float(hi[0])), abs=1e-12)


def test_the_report_says_which_intervals_the_findings_carry():
    """The report's method section of a classification audit says the same as the README: the
    bootstrap for the rates of the group tables, each finding the interval of its test."""
    import numpy as np

    from szai_audit.fairness.words import method_paragraphs

    g = np.repeat(["a", "b"], 100)
    result = sa.Audit(y_pred=np.tile([0, 1], 100), sensitive={"race": g}, explain=False).run()
    paragraphs = method_paragraphs(result.scope, result.policy)
    (uncertainty,) = [p for p in paragraphs if "bootstrap" in p.en]
    assert "Miettinen-Nurminen score interval" in uncertainty.en, uncertainty.en
    assert "Miettinen-Nurminen" in uncertainty.zh and "正态区间" in uncertainty.zh
    assert re.search(r"bootstrap[^.]*\b(gap|ratio)", uncertainty.en) is None, uncertainty.en


#: The sentence the pages of the gaps after legitimate factors say of missing values.
MISSING_FACTORS = (
    "a missing number is set to the factor's mean, with an indicator column of the rows missing "
    "it; a missing category is a category of its own"
)


@pytest.mark.parametrize(
    ("page", "heading"),
    [
        ("article-72-4", "Gaps after legitimate factors"),
        ("article-72-5", "Gap given the legitimate factors"),
    ],
)
def test_the_pages_say_how_missing_legitimate_factors_are_treated(page, heading):
    """A missing value of a numeric legitimate factor is mean-filled in the regression, with an
    indicator; a missing category is a category; both a stratum of their own. The code does
    this and the pages of both articles say it."""
    import numpy as np
    import pandas as pd

    from szai_audit.core.conditional import prepare_factors

    factors = pd.DataFrame(
        {"income": [1.0, np.nan, 3.0, 5.0] * 5, "region": ["n", None, "s", "n"] * 5}
    )
    prepared = prepare_factors(factors, 2)
    income, flag, *region = prepared.design.T
    assert income[1] == 0.0 and income[factors["income"].notna()].mean() == pytest.approx(0.0)
    missing = factors["income"].isna().to_numpy(dtype=float)
    assert list(flag) == list(missing)  # the indicator
    assert any(list(column) == list(missing) for column in region)  # a category of its own
    assert len(set(prepared.strata[1::4])) == 1 and prepared.strata[1] not in prepared.strata[::4]
    text = " ".join(section(read_page(page), heading).split())
    assert MISSING_FACTORS in text, f"{page}: {heading} does not say how missing values are treated"


def test_the_soda_price_slope_is_given_in_its_unit():
    """The published soda-price slope is $0.115 on a price in dollars per unit of the share
    (0 to 1), not 0.115 log points: the synthetic stores of the test plant it so (a straight
    line of the price in dollars recovers it), and the 72(5) page says it in that unit."""
    import numpy as np
    import statsmodels.api as smapi
    from test_decisions import _soda

    data, price = _soda()
    fit = smapi.OLS(price, smapi.add_constant(data[["share_black", "size"]].to_numpy())).fit()
    assert abs(fit.params[1] - 0.115) < 2 * fit.bse[1]
    assert 0.9 < float(np.mean(price)) < 1.2  # dollars: a soda's price
    text = " ".join(section(read_page("article-72-5"), "Trend along a numeric column").split())
    assert "$0.115" in text and "price in dollars" in text, text
    assert "log points per unit" not in text


def test_method_says_empty_text_of_a_ground_is_missing():
    """An empty or whitespace-only value of a sensitive attribute is missing
    (``szai_audit.inputs.attributes.blank_as_missing``), and the method page says so."""
    import pandas as pd

    from szai_audit.inputs.attributes import blank_as_missing

    values, blank = blank_as_missing(pd.Series(["f", "", " \t", "m", None]))
    assert values.isna().tolist() == [False, True, True, False, True]
    assert blank.tolist() == [False, True, True, False, False]
    text = " ".join(section(read_page("method"), "Small groups and missing values").split())
    assert "empty or only whitespace" in text and "counts as missing" in text
