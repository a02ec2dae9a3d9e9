"""The system card per language (issue 30, item 6): a field is one text or ``{"zh", "en"}``;
a page, filing or notice in one language shows each field in that language only, and holds no
sentence of the other language (``szai_audit.core.metadata``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from report_lint import language_problems

import szai_audit as sa
from szai_audit.cli import EXIT_ERROR, main
from szai_audit.core.messages import Message
from szai_audit.core.metadata import meta_message, meta_text, stray_language
from szai_audit.errors import InputError, InputTypeError
from szai_audit.filings import KINDS, build_filing
from szai_audit.risk.tracking import compare, comparison_page

ROOT = Path(__file__).parents[1]
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
FILING_SCHEMA = json.loads((ROOT / "docs" / "filing.schema.json").read_text(encoding="utf-8"))

CARD = {
    "organisation": {"zh": "示例保险公司", "en": "Example Insurer"},
    "system_name": {"zh": "理赔初审模型", "en": "Claims triage model"},
    "version": "2.1",
    "purpose": {"zh": "初审理赔申请", "en": "First review of insurance claims"},
    "appeal": {"zh": "可在 30 日内书面申请人工复核"},  # Chinese only: shown in both
    "contact": "claims-ethics@example.invalid",
}


# --------------------------------------------------------------------------------------------
# meta_message, meta_text
# --------------------------------------------------------------------------------------------


def test_a_field_is_read_per_language_or_once_for_both():
    assert meta_message(CARD, "organisation") == Message("示例保险公司", "Example Insurer")
    assert meta_message(CARD, "version") == Message("2.1", "2.1")
    assert meta_message(CARD, "appeal") == Message(
        "可在 30 日内书面申请人工复核", "可在 30 日内书面申请人工复核"
    )
    assert meta_message({"a": {"zh": "", "en": "only English"}}, "a") == Message(
        "only English", "only English"
    )
    for missing in ({}, {"purpose": ""}, {"purpose": "  "}, {"purpose": {"zh": " ", "en": ""}}):
        assert meta_message(missing, "purpose") is None
    assert meta_message(None, "purpose") is None


def test_meta_text_shows_one_language_or_the_pair_as_the_report_does():
    assert meta_text(CARD, "system_name", "zh") == "理赔初审模型"
    assert meta_text(CARD, "system_name", "en") == "Claims triage model"
    assert meta_text(CARD, "system_name", "bilingual") == "理赔初审模型 / Claims triage model"
    assert meta_text(CARD, "version", "bilingual") == "2.1"  # once when both read the same
    assert meta_text(CARD, "missing", "zh") is None
    with pytest.raises(KeyError, match="'fr'"):
        meta_text(CARD, "version", "fr")


# --------------------------------------------------------------------------------------------
# stray_language
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "请将申请发送至 ethics@example.cn，我们将在 15 个工作日内答复。",
        "依据《个人信息保护法》第二十四条第三款（PIPL Art. 24(3)），您有权要求说明。",
        "模型的区分能力 AUC 0.91，高于要求。",
        "数据文件 64 MB，共 3 km 路程",
        "详见 https://example.cn/notice/how-we-decide-on-your-loan 的说明",
        "k = 5 时的 p 值",
        "德国信用数据集（Statlog）",
    ],
)
def test_chinese_text_with_addresses_citations_and_abbreviations_is_not_flagged(text):
    assert stray_language(text, "zh") == []


@pytest.mark.parametrize(
    ("text", "stretch"),
    [
        (
            "客户可申请复核 Customers may ask for a human review",
            "Customers may ask for a human review",
        ),
        ("示例银行 Example Bank (demo)", "Example Bank (demo)"),
        (
            "The model recommends; a loan officer reviews every refusal。",
            "The model recommends; a loan officer reviews every refusal",
        ),
        ("期限：within 15 working days", "within 15 working days"),
    ],
)
def test_an_english_sentence_in_chinese_is_caught(text, stretch):
    assert stray_language(text, "zh") == [stretch]


def test_chinese_in_english_is_caught_and_english_alone_is_not():
    assert stray_language("Customers may ask for a human review (Art. 24(3)).", "en") == []
    assert stray_language("Example Bank 示例银行 (demo)", "en") == ["示例银行"]
    assert stray_language("−24.9 至 −3.8", "en") == ["至"]
    assert stray_language("Warning 2；Fail 1", "en") == ["；"]
    assert stray_language("可在 15 日内申请", "en") == ["可在 15 日内申请"]  # one stretch


def test_long_stretches_are_shortened_and_a_bad_language_is_refused():
    long = "Customers " + "may ask for a human review " * 10
    (found,) = stray_language("说明：" + long, "zh")
    assert len(found) == 60 and found.endswith("…") and found.startswith("Customers may ask")
    with pytest.raises(KeyError, match="bilingual"):
        stray_language("text", "bilingual")


def test_stray_language_agrees_with_a_plain_count_of_characters():
    """On the demo-like texts, the English check finds something exactly when the text holds
    a CJK character (counted independently, by Unicode name)."""
    import unicodedata

    texts = [*(v for v in CARD.values() if isinstance(v, str))]
    texts += [t for v in CARD.values() if isinstance(v, dict) for t in v.values()]
    for text in texts:
        cjk = any(unicodedata.name(c, "").startswith("CJK") for c in text)
        assert bool(stray_language(text, "en")) == cjk, text


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


def _small() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"sex": rng.choice(["f", "m"], 400), "decision": rng.integers(0, 2, 400)})


def _run(metadata, **kwargs):
    data = _small()
    return sa.Audit(
        y_pred="decision",
        data=data,
        sensitive={"gender": "sex"},
        metadata=metadata,
        explain=False,
        verbose=False,
        **kwargs,
    ).run(random_state=0)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (
            ["示例银行", "Example Bank"],
            InputTypeError,
            r"metadata\['organisation'\] must be a text, or a text per language.*got list",
        ),
        (1.0, InputTypeError, r"metadata\['organisation'\] must be a text.*got float 1\.0"),
        (
            {"zh": "示例银行", "fr": "Banque"},
            InputError,
            r"metadata\['organisation'\] must map the languages 'zh' and 'en'.*'fr'",
        ),
        ({}, InputError, r"metadata\['organisation'\] must map the languages"),
        (
            {"zh": "示例银行", "en": 3},
            InputTypeError,
            r"metadata\['organisation'\]\['en'\] must be a text, got int 3",
        ),
        (
            {"zh": " ", "en": ""},
            InputError,
            r"metadata\['organisation'\] gives no text in either language",
        ),
        (
            {"zh": "示例\ud800"},
            InputError,
            r"metadata\['organisation'\]\['zh'\] is not valid Unicode.*U\+D800",
        ),
    ],
)
def test_a_bad_field_is_refused_naming_the_key_expected_and_received(value, error, message):
    with pytest.raises(error, match=message):
        _run({"organisation": value})


def test_the_users_card_is_kept_per_language_and_not_changed():
    card = {"appeal": {"zh": "书面申请复核", "en": "Ask in writing"}, "version": "1"}
    before = json.dumps(card)
    result = _run(card)
    assert result.metadata == card
    assert result.metadata["appeal"] is not card["appeal"]  # a copy
    assert json.dumps(card) == before


# --------------------------------------------------------------------------------------------
# every output, one language
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result():
    return _run(
        CARD,
        context=sa.UseContext(
            "credit_finance", description={"zh": "理赔初审", "en": "Claims triage"}
        ),
    )


def test_a_report_in_one_language_shows_each_field_in_that_language_only(result):
    zh, en, both = (result.to_html(lang=lang) for lang in ("zh", "en", "bilingual"))
    for page, shown, hidden in ((zh, "zh", "en"), (en, "en", "zh")):
        for key in ("organisation", "system_name", "purpose"):
            assert CARD[key][shown] in page, (key, shown)
            assert CARD[key][hidden] not in page, (key, shown)
        assert CARD["appeal"]["zh"] in page  # given in Chinese only: shown in both
    assert language_problems(zh, "zh") == []
    # The English page is clean but for the field given in Chinese only.
    problems = language_problems(en, "en")
    assert problems and all(CARD["appeal"]["zh"] in p for p in problems), problems
    assert f"<title>{'人工智能算法自评估审计报告'}" in zh and "· 理赔初审模型</title>" in zh
    assert "· Claims triage model</title>" in en
    # The use context's description, per language too.
    assert ">理赔初审</span>" in zh and ">Claims triage</span>" in en
    for key in ("organisation", "system_name"):
        assert CARD[key]["zh"] in both and CARD[key]["en"] in both


def test_the_public_notice_and_the_filings_show_one_language(result):
    for lang, other in (("zh", "en"), ("en", "zh")):
        for text in (
            result.algorithm_notice(lang=lang),
            result.algorithm_notice(lang=lang, fmt="html"),
            *(result.filing(kind).to_html(lang=lang) for kind in KINDS),
            *(result.filing(kind).to_text(lang=lang) for kind in KINDS),
        ):
            assert CARD["system_name"][other] not in text
            assert CARD["organisation"][other] not in text
        for kind in KINDS:  # the page's header names the organisation and the system
            page = result.filing(kind).to_html(lang=lang)
            assert CARD["system_name"][lang] in page and CARD["organisation"][lang] in page
    assert result.algorithm_notice(lang="zh").startswith("算法说明：理赔初审模型\n")
    assert "理赔初审模型（示例保险公司）" in result.algorithm_notice(lang="zh")
    assert "Claims triage model (Example Insurer)" in result.algorithm_notice(lang="en")


def test_the_json_keeps_the_card_as_given_and_is_read_back(result, tmp_path):
    path = tmp_path / "audit.json"
    result.to_json(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema_version"] == "1.12"
    jsonschema.validate(doc, SCHEMA)
    assert doc["system"] == CARD
    assert doc["risk"]["context"]["description"] == {"zh": "理赔初审", "en": "Claims triage"}
    # A filing drafted from the saved file is the one drafted from the result.
    for kind in KINDS:
        from_file = build_filing(kind, path)
        assert from_file.to_dict() == result.filing(kind).to_dict()
        jsonschema.validate(from_file.to_dict(), FILING_SCHEMA)
    info = build_filing("algorithm", path).part("filing_information")
    provider = next(f for f in info.fields if f.label.en == "Provider")
    assert provider.value == Message("示例保险公司", "Example Insurer")
    # compare reads it back: the system's name per language, on the page of each language.
    cmp = compare(path, result)
    assert cmp.summary["same_system"] and cmp.summary["after"]["system_name"] == CARD["system_name"]
    assert comparison_page(cmp, "zh")["after"]["system_name"] == "理赔初审模型"
    assert comparison_page(cmp, "en")["before"]["system_name"] == "Claims triage model"
    assert comparison_page(cmp, "bilingual")["after"]["version"] == "2.1"


def test_a_name_given_once_and_later_per_language_is_the_same_system(result):
    once = _run({"system_name": "Claims triage model"})
    other = _run({"system_name": {"zh": "另一个模型", "en": "Another model"}})
    assert compare(once, result).summary["same_system"]
    assert not compare(other, result).summary["same_system"]


def test_a_document_with_the_old_form_is_still_read(result):
    doc = result.to_dict()
    doc["system"] = {"system_name": "理赔初审模型 Claims triage model", "organisation": "X"}
    del doc["content_sha256"]  # edited by hand: read, not verified
    filing = build_filing("algorithm", doc)
    assert filing.source["system_name"] == "理赔初审模型 Claims triage model"
    assert "理赔初审模型 Claims triage model" in filing.to_html(lang="zh")


# --------------------------------------------------------------------------------------------
# the run configuration
# --------------------------------------------------------------------------------------------

CONFIG = """
[data]
path = "log.csv"
[columns]
y_pred = "decision"
[sensitive]
gender = "sex"
[audit]
explain = false
[context]
domain = "credit_finance"
description = {{ zh = "理赔初审", en = "Claims triage" }}
[metadata]
organisation = {{ zh = "示例保险公司", en = "Example Insurer" }}
system_name = {{ zh = "理赔初审模型", en = "Claims triage model" }}
appeal = {{ zh = "可在 30 日内书面申请人工复核" }}
version = {version}
contact = "claims-ethics@example.invalid"
[output]
html = "out/report.html"
json = "out/report.json"
lang = "zh"
"""


def test_the_configuration_takes_a_text_per_language_as_an_inline_table(tmp_path, capsys):
    _small().to_csv(tmp_path / "log.csv", index=False)
    (tmp_path / "audit.toml").write_text(CONFIG.format(version='"2.1"'), encoding="utf-8")
    main(["run", str(tmp_path / "audit.toml")])
    doc = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert doc["system"]["organisation"] == {"zh": "示例保险公司", "en": "Example Insurer"}
    assert doc["system"]["appeal"] == {"zh": "可在 30 日内书面申请人工复核"}
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "示例保险公司" in page and "Example Insurer" not in page
    assert "理赔初审" in page and "Claims triage" not in page
    assert language_problems(page, "zh") == []


def test_the_configuration_refuses_a_field_that_is_not_text(tmp_path, capsys):
    _small().to_csv(tmp_path / "log.csv", index=False)
    (tmp_path / "audit.toml").write_text(CONFIG.format(version="2.1"), encoding="utf-8")
    assert main(["run", str(tmp_path / "audit.toml")]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert re.search(r"\[metadata\] version must be text .*per language.*got 2\.1", err), err


def test_the_init_template_shows_the_inline_table(tmp_path):
    from szai_audit._config import write_template

    text = write_template(tmp_path / "audit.toml").read_text(encoding="utf-8")
    assert '# system_name = { zh = "' in text and "en = " in text
