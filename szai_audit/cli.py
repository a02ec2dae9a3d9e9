"""Command line: ``szai-audit demo`` writes the demo reports (HTML and JSON) of
:mod:`szai_audit.demos`: a credit model audited under Art. 72(2)(iv) and Art. 71, and a
ride-hailing pricing model under Art. 72(2)(v); ``run``, ``init``, ``explain``, ``compare`` and
``filings`` are described in docs/cli.md."""

from __future__ import annotations

import argparse
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import _config
from ._version import __version__
from .core.errors import NoticeWarning, SzaiAuditError
from .core.files import KEY_VARIABLE, LANGS, check_outputs, signing_key, together
from .core.html import finding_threshold, finding_value, format_interval, visible_text
from .core.messages import fmt_level
from .demos import run_demo, run_pricing_demo
from .filings import KINDS, write_filings
from .result import AuditResult
from .risk.tracking import compare

__all__ = [
    "EXIT_ERROR",
    "EXIT_FAIL",
    "EXIT_OK",
    "FAIL_ON",
    "failing_lines",
    "main",
]


#: Exit status: no finding FAILs / a finding FAILs / usage or input error.
EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


#: The statuses each ``--fail-on`` level exits 1 on.
FAIL_ON = {"fail": ("FAIL",), "warn": ("FAIL", "WARN")}


def failing_lines(result: AuditResult, fail_on: str = "fail") -> list[str]:
    """One line per finding at a status ``fail_on`` gates on, worst first: status, check,
    ground, value (with its interval) and tolerance, as the report writes them."""
    statuses = FAIL_ON[fail_on]
    lines = []
    for status in statuses:
        for f in result.findings:
            if f.status.value != status:
                continue
            ci = format_interval(f.check, f.ci)
            level = fmt_level(float(f.details.get("ci_level", result.policy.confidence_level)))
            value = finding_value(f).en + (f" ({level} CI {ci.en})" if ci is not None else "")
            lines.append(
                visible_text(
                    f"{status:<4}  {f.check}  ground={f.ground or '-'}  value={value}  "
                    f"tolerance={finding_threshold(f).en}"
                )
            )
    return lines


def _say(line: str, file: Any = None) -> None:
    """Print a line of the command's output, its control and bidirectional formatting
    characters shown as escapes (as every text output shows them)."""
    print(visible_text(line), file=file, flush=True)


def _seal(what: str, signed: bool) -> str:
    """What the check of a saved audit proved, for the line after ``what`` was read."""
    if signed:
        return f"{what}: content_sha256 and signature (content_hmac, {KEY_VARIABLE}) match"
    return (
        f"{what}: content_sha256 matches, which rules out accidental change only (anyone can "
        f"recompute it); set {KEY_VARIABLE} to sign audits and refuse an edited one"
    )


def _run(config_path: str, fail_on: str = "fail") -> int:
    result, written = _config.run_config(_config.load_config(config_path))
    _say(repr(result))
    for path in written:
        _say(f"wrote {path}")
    lines = failing_lines(result, fail_on)
    for line in lines:
        print(line)
    if lines:
        print(f"szai-audit: {len(lines)} finding(s) at {' or '.join(FAIL_ON[fail_on])} (exit 1)")
    return EXIT_FAIL if lines else EXIT_OK


def _explain(
    config: str,
    rows: str,
    out: str,
    id_column: str | None,
    lang: str,
    audit: str | None = None,
    decided_on: str | None = None,
) -> int:
    loaded = _config.load_config(config)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NoticeWarning)
        batch = _config.explain_config(
            loaded, rows, out, id_column=id_column, lang=lang, audit=audit, decided_on=decided_on
        )
    refused = sum(not f for f in batch.favourable)
    turned = sum(t is True for t in batch.turned)
    _say(
        f"wrote {len(batch)} notices ({refused} unfavourable decisions; {turned} would be the "
        f"other decision without the inputs tied to protected grounds, column turned) to "
        f"{batch.folder}, listed in {batch.index}"
    )
    recourse = loaded.get("audit", {}).get("recourse")
    if not (isinstance(recourse, dict) and recourse.get("actionable")):
        _say(
            "no change is suggested to anyone (recourse is opt-in): declare what may change in "
            '[audit] recourse = { actionable = { column = "better" } } with [audit] '
            "value_order, worse first (docs/person.md)"
        )
    if audit is not None:
        _say(_seal(f"read {audit}", signing_key() is not None))
    for w in caught:
        if issubclass(w.category, NoticeWarning):
            _say(f"szai-audit: warning: {w.message}", file=sys.stderr)
    return EXIT_OK


def _demo(out: str, random_state: int) -> None:
    """Both demo reports, and the filings that follow the credit demo (``out/filings``)."""
    steps = (
        (run_demo, "a credit model on the German Credit data (Art. 72(2)(iv), 71)"),
        (run_pricing_demo, "a fare model on a synthetic ride-hailing market (Art. 72(2)(v))"),
    )
    for demo_run, what in steps:
        print(f"auditing {what} ...", flush=True)
        html_path, json_path = demo_run(out, random_state)
        _say(f"wrote {html_path} and {json_path}")
    written = write_filings(Path(out) / "demo_report.json", Path(out) / "filings")
    _say(f"wrote {len(written)} filings drafted from the credit demo to {Path(out) / 'filings'}")


def _filings(args: argparse.Namespace) -> int:
    opinion = {"yes": True, "no": False, None: None}[args.public_opinion]
    written = write_filings(
        args.audit,
        args.out,
        kinds=args.kind,
        lang=args.lang,
        date=args.date,
        previous=args.previous,
        follow_up_months=args.follow_up_months,
        public_opinion=opinion,
        sex=args.sex,
        race_ethnicity=args.race_ethnicity,
    )
    _say(_seal(f"read {args.audit}", signing_key() is not None))
    for kind, (html, json_path) in written.items():
        _say(f"wrote {kind}: {html} and {json_path}")
    return EXIT_OK


def _compare(old: str, new: str, html: str | None, json_path: str | None) -> int:
    outputs = {name: path for name, path in (("--html", html), ("--json", json_path)) if path}
    check_outputs(outputs, {"OLD": old, "NEW": new})  # never write over an audit compared
    comparison = compare(new, old)
    s = comparison.summary
    _say(repr(comparison))
    print(
        f"verdict {s['before']['verdict']} -> {s['after']['verdict']}; new failures: "
        f"{s['appeared_failures']}, drifted: {s['drifted']}, resolved: {s['resolved']}"
    )
    print(_seal("both audits", s["before"]["content_signed"] and s["after"]["content_signed"]))
    with together():  # both written, or neither
        if html:
            comparison.to_html(html)
        if json_path:
            comparison.to_json(json_path)
    for path in (html, json_path):
        if path:
            _say(f"wrote {path}")
    return EXIT_FAIL if s["after"]["verdict"] == "FAIL" else EXIT_OK


def _parser() -> argparse.ArgumentParser:
    """The command line's parser."""
    parser = argparse.ArgumentParser(
        prog="szai-audit",
        description="Audit AI models under the Shenzhen AI Industry Promotion Regulations. "
        "Exit status: 0 no FAIL, 1 a FAIL, 2 usage or input error.",
    )
    parser.add_argument("--version", action="version", version=f"szai-audit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="write the demo reports (credit model, fare model)")
    demo.add_argument("--out", default="out", help="output folder (default: out)")
    demo.add_argument("--random-state", type=int, default=0)
    run = sub.add_parser("run", help="run the audit a TOML config describes")
    run.add_argument("config", help="the TOML file (see docs/cli.md)")
    run.add_argument(
        "--fail-on",
        choices=list(FAIL_ON),
        default="fail",
        help="exit 1 when a finding FAILs (fail, the default) or FAILs or WARNs (warn); "
        "the findings are listed",
    )
    init = sub.add_parser("init", help="write a commented configuration to start from")
    init.add_argument("config", nargs="?", default="audit.toml", help="(default: audit.toml)")
    init.add_argument("--data", help="a CSV or Parquet file: its columns are listed in the file")
    ex = sub.add_parser(
        "explain", help="write a notice per person: the decision, its reasons, what would change it"
    )
    ex.add_argument("config", help="the TOML file of the audit (see docs/cli.md)")
    ex.add_argument("--rows", required=True, help="CSV whose first column lists the people")
    ex.add_argument("--out", required=True, help="the folder of the notices")
    ex.add_argument("--id-column", help="the data's column identifying people (else row numbers)")
    ex.add_argument("--lang", default="bilingual", choices=list(LANGS))
    ex.add_argument(
        "--decided-on",
        help="the day of the decisions, YYYY-MM-DD (else each notice marks it to be filled in)",
    )
    ex.add_argument(
        "--audit",
        help="the audit's saved JSON ([output] json): read, not run again (checked against its "
        "content_sha256, which catches accidental change, and its signature when "
        "SZAI_AUDIT_KEY is set, which catches an edit; and to be the audit of this data)",
    )
    cmp = sub.add_parser("compare", help="compare two saved audits (ex-post tracking)")
    cmp.add_argument("old", help="the earlier audit's JSON")
    cmp.add_argument("new", help="the later audit's JSON")
    cmp.add_argument("--html", help="write the comparison as HTML here")
    cmp.add_argument("--json", help="write the comparison as JSON here")
    fil = sub.add_parser(
        "filings",
        help="draft the filings that follow an audit (algorithm filing, PIA, ethics review, "
        "bias audit) from its saved JSON",
    )
    fil.add_argument("audit", help="the audit's JSON (AuditResult.to_json, or [output] json)")
    fil.add_argument("--out", required=True, help="the folder of the filings")
    fil.add_argument(
        "--kind", action="append", choices=list(KINDS), help="one kind (repeatable; default: all)"
    )
    fil.add_argument("--previous", help="ethics: the audit of the last review, to compare with")
    fil.add_argument("--date", help="the filings' date, YYYY-MM-DD (default: the audit's)")
    fil.add_argument(
        "--follow-up-months",
        type=int,
        default=12,
        help="ethics: months to the next follow-up review (1-12)",
    )
    fil.add_argument(
        "--public-opinion",
        choices=["yes", "no"],
        help="ethics: whether the system can mobilise public opinion",
    )
    fil.add_argument("--sex", help="bias audit: the ground standing for sex")
    fil.add_argument("--race-ethnicity", help="bias audit: the ground standing for race/ethnicity")
    fil.add_argument("--lang", default="bilingual", choices=list(LANGS))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``szai-audit`` command (also ``python -m szai_audit``).

    Exit status: 0 when no finding is FAIL, 1 when one is (``run``: the audit; ``compare``: the
    newer audit), 2 for usage or input errors, so that a pipeline can gate on it.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help is 0, a usage error 2
        return int(exc.code or 0)
    try:
        if args.command == "run":
            return _run(args.config, args.fail_on)
        if args.command == "init":
            written = _config.write_template(args.config, data=args.data)
            _say(f"wrote {written}: edit it, then run szai-audit run {written}")
            return EXIT_OK
        if args.command == "compare":
            return _compare(args.old, args.new, args.html, args.json)
        if args.command == "filings":
            return _filings(args)
        if args.command == "explain":
            return _explain(
                args.config, args.rows, args.out, args.id_column, args.lang, args.audit,
                args.decided_on,
            )  # fmt: skip
        _demo(args.out, args.random_state)
    except SzaiAuditError as exc:
        _say(f"szai-audit: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except SystemExit as exc:  # code the command ran (a model's) called sys.exit: never a pass
        _say(
            f"szai-audit: the command did not complete: {_config._exit_call(exc)}, by code it "
            f"ran (a model, or a library it calls); nothing more was written (exit 2).",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except Exception as exc:  # never exit 1 (a FAIL) on a crash: report it as an error
        traceback.print_exc()
        _say(
            f"szai-audit: unexpected error ({type(exc).__name__}: {exc}); the audit did not "
            f"complete. Please report it with the traceback above.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
