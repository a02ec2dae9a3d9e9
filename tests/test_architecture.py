"""The package's import rules and size limits (docs/architecture.md), checked on its source.

The layer contracts themselves are checked by import-linter (``lint-imports`` in ``make
lint``, configured in pyproject.toml). These tests check what import-linter does not: no import
cycle at all (imports inside functions and under ``TYPE_CHECKING`` included), no private name
taken from another module, no import of the package inside a function, lazy imports of the heavy
libraries only, no function over 80 lines, and that each rule can fail.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "szai_audit"

#: Third-party libraries that may be imported inside a function, so that ``import szai_audit``
#: stays fast: drawing, explaining, fitting and reading in parts load them when used.
LAZY_LIBRARIES = {
    "dask",
    "fairlearn",
    "joblib",
    "lightgbm",
    "matplotlib",
    "pyarrow",  # optional: reading the columns of a Parquet file (szai-audit init --data)
    "scipy",
    "shap",
    "skops",
    "sklearn",
    "tqdm",  # tqdm.notebook imports IPython and ipywidgets: only in a notebook
    "xgboost",
}
MAX_FUNCTION_LINES = 80


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module imported (for ``from x import y``: x.y when it is a module)
    names: tuple[str, ...]  # the names taken by ``from x import ...``
    line: int
    in_function: bool
    internal: bool


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(root: Path) -> dict[str, Path]:
    return {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}


@functools.cache
def _tree(path: Path) -> ast.Module:
    """A module's syntax tree, parsed once per run for all the rules that read it."""
    return ast.parse(path.read_text(encoding="utf-8"))


@functools.cache
def _imports(root: Path) -> tuple[Import, ...]:
    """Every import under ``root``, read once per run for all the rules that check them."""
    return tuple(_read_imports(root))


def _read_imports(root: Path) -> Iterator[Import]:
    modules = _modules(root)
    package = root.name
    for name, path in modules.items():
        tree = _tree(path)
        inner = {
            id(node)
            for f in ast.walk(tree)
            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(f)
            if isinstance(node, (ast.Import, ast.ImportFrom))
        }
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(
                        name,
                        alias.name,
                        (),
                        node.lineno,
                        id(node) in inner,
                        alias.name.split(".")[0] == package,
                    )
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                names = tuple(a.name for a in node.names)
                internal = target.split(".")[0] == package
                for n in names:
                    full = f"{target}.{n}"
                    if internal and full in modules:  # ``from . import words``: a module
                        yield Import(name, full, (), node.lineno, id(node) in inner, True)
                        names = tuple(x for x in names if x != n)
                if names or not internal:
                    yield Import(name, target, names, node.lineno, id(node) in inner, internal)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def _graph(root: Path) -> dict[str, set[str]]:
    modules = _modules(root)
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for imp in _imports(root):
        if not imp.internal:
            continue
        target = imp.target
        while target not in modules and "." in target:
            target = target.rsplit(".", 1)[0]
        if target != imp.module:
            edges[imp.module].add(target)
    return edges


def _private_imports(root: Path) -> list[str]:
    return [
        f"{i.module}:{i.line} takes {n} from {i.target}"
        for i in _imports(root)
        if i.internal
        for n in i.names
        if n.startswith("_") and not n.startswith("__")
    ]


def _inner_imports(root: Path) -> list[str]:
    bad = []
    for i in _imports(root):
        if not i.in_function:
            continue
        top = i.target.split(".")[0]
        if i.internal or top not in LAZY_LIBRARIES:
            bad.append(f"{i.module}:{i.line} imports {i.target} inside a function")
    return bad


def _long_functions(root: Path, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    out = []
    for name, path in _modules(root).items():
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if length > limit:
                    out.append(f"{name}.{node.name} ({length} lines, line {node.lineno})")
    return out


# --------------------------------------------------------------------------------------------
# The rules, on the package
# --------------------------------------------------------------------------------------------


def test_no_import_cycle():
    assert _cycles(_graph(PACKAGE)) == []


def test_no_private_name_taken_from_another_module():
    assert _private_imports(PACKAGE) == []


def test_no_package_import_inside_a_function():
    assert _inner_imports(PACKAGE) == []


def test_no_function_over_80_lines():
    assert _long_functions(PACKAGE) == []


def test_core_and_articles_do_not_import_upwards():
    """The layers as import-linter checks them, restated for the test run: the core imports
    nothing else of the package; an article imports no other article, nor the report."""
    articles = ["fairness", "pricing", "explain", "privacy", "risk"]
    problems = []
    for imp in _imports(PACKAGE):
        if not imp.internal:
            continue
        source, target = imp.module.split("."), imp.target.split(".")
        if len(source) < 2 or len(target) < 2:
            continue
        src, dst = source[1], target[1]
        if src == "core" and dst not in ("core", "_version"):
            problems.append(f"{imp.module} -> {imp.target}")
        if src in articles and dst != src and dst not in ("core",):
            problems.append(f"{imp.module} -> {imp.target}")
    assert problems == []


def test_import_linter_contracts_hold():
    """The import-linter contracts of pyproject.toml, run as CI runs them."""
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        pytest.skip("import-linter is not installed (it is in the test extras)")
    out = subprocess.run(
        [str(lint)], cwd=PACKAGE.parent, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


# --------------------------------------------------------------------------------------------
# Each rule can fail: a small package that breaks every one of them
# --------------------------------------------------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_checks_find_what_they_look_for(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(90))
    bad = _write(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "a.py": "from .b import _hidden\n",
            "b.py": (
                "from . import a\n_hidden = 1\n\ndef f():\n    from . import a\n    import json\n"
            ),
            "c.py": f"def long():\n{body}\n",
        },
    )
    assert _cycles(_graph(bad)) == [["pkg.a", "pkg.b"]]
    assert _private_imports(bad) == ["pkg.a:1 takes _hidden from pkg.b"]
    assert _inner_imports(bad) == [
        "pkg.b:5 imports pkg.a inside a function",
        "pkg.b:6 imports json inside a function",
    ]
    assert _long_functions(bad) == ["pkg.c.long (91 lines, line 1)"]


@pytest.mark.slow
def test_import_is_light_of_dask_too():
    """``import szai_audit`` loads none of the heavy libraries, dask included."""
    code = (
        "import sys, szai_audit; "
        "print([m for m in ('shap', 'matplotlib', 'fairlearn', 'dask') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_the_unreleased_flat_paths_are_gone_and_errors_is_public():
    """The one-screen modules kept for the flat layout's paths (never released) are gone
    (issue 27); ``szai_audit.errors`` is the public home of the exception tree, and importing
    the package warns about nothing."""
    code = """
import importlib, szai_audit as sa
gone = []
for old in ("conditional", "counterfactual", "data", "findings", "mitigation", "models",
            "narrative", "policy", "proxies", "regression", "scores", "stats", "tracking"):
    try:
        importlib.import_module("szai_audit." + old)
    except ModuleNotFoundError:
        gone.append(old)
print(len(gone), hasattr(sa, "MOVED"), hasattr(sa, "scores"))
print(sa.errors.InputError is sa.core.errors.InputError, sa.errors.InputError.__module__)
print(sorted(sa.errors.__all__) == sorted(sa.core.errors.__all__))
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["13", "False", "False", "True", "szai_audit.errors", "True"]
    quiet = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", "import szai_audit"],
        capture_output=True,
        text=True,
    )
    assert quiet.returncode == 0, quiet.stderr
