"""One severity per issue code: a `report_issue.check_name` is always an `error` or always a `warning`, so that a
filter on the code or on the severity means the same thing everywhere (README, "Findings and checks"). A situation
of another gravity gets its own code (`meta.agency` / `meta.agency_partial`, `ocr.unreconciled` / `ocr.unread`,
`attachment.unreadable` / `attachment.unreadable_no_figures`).

Checked three ways: every `Issue(...)` the parser's source can construct (most codes are emitted only by inputs the
real pages do not contain: scans, unreadable attachments), the parser over the real pages of ../shared (corpus and
seeds), and the demo warehouse's report_issue (parser and cross-report findings)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from etl.frames import PARSE_ERROR_CHECK
from etl.parse import parse_document

REPO = Path(__file__).resolve().parent.parent
SEVERITIES = {"error", "warning"}


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to string constants (`X = "a"`, `X, Y = "a", "b"`)."""
    out: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        pairs = (zip(target.elts, value.elts, strict=False) if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
                 else [(target, value)])  # fmt: skip
        for t, v in pairs:
            if isinstance(t, ast.Name) and isinstance(v, ast.Constant) and isinstance(v.value, str):
                out[t.id] = v.value
    return out


def _strings(node: ast.expr, constants: dict[str, str]) -> list[str] | None:
    """The strings an argument can be: a constant, a module constant, either branch of `a if c else b`; None when
    it is computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.IfExp):
        body, orelse = _strings(node.body, constants), _strings(node.orelse, constants)
        return None if body is None or orelse is None else body + orelse
    return None


def source_issues() -> tuple[dict[str, set[str]], list[str]]:
    """code -> severities of every `Issue(code, severity, ...)` in etl/, and the call sites whose code or severity
    the source does not state as a constant."""
    codes: dict[str, set[str]] = defaultdict(set)
    computed: list[str] = []
    for path in sorted((REPO / "etl").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Issue" and len(node.args) >= 2):
                continue
            check, severity = _strings(node.args[0], constants), _strings(node.args[1], constants)
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            if severity is None or len(set(severity)) != 1:
                computed.append(where)
            elif check is None:
                computed.append(f"{where} ({severity[0]})")
            else:
                for code in check:
                    codes[code].add(severity[0])
    return codes, computed


def test_every_issue_the_parser_can_raise_has_one_severity() -> None:
    from etl.checks import _SUMS

    codes, computed = source_issues()
    # the only code the source computes: etl.checks' sums of single-figure tables, all errors
    assert computed == [f"etl/checks.py:{_sums_line()} (error)"], computed
    for name, _, _ in _SUMS:
        codes[name].add("error")
    codes[PARSE_ERROR_CHECK].add("error")  # etl.frames: an unreadable report's row
    assert len(codes) > 30
    assert {code: sorted(s) for code, s in codes.items() if len(s) != 1 or not s <= SEVERITIES} == {}
    # the splits of codes that had two severities
    pairs = [("meta.agency", "meta.agency_partial"), ("ocr.unreconciled", "ocr.unread"),
             ("attachment.unreadable_no_figures", "attachment.unreadable"),
             ("article.unreadable_no_figures", "article.unreadable")]  # fmt: skip
    assert [(codes[e], codes[w]) for e, w in pairs] == [({"error"}, {"warning"})] * len(pairs)


def _sums_line() -> int:
    """The line of the `Issue(name, "error", ...)` call in etl/checks.py (the sums of _SUMS)."""
    lines = (REPO / "etl" / "checks.py").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if "Issue(name," in line)


def real_pages(shared_dir: Path) -> list[Path]:
    return sorted(p for d in ("corpus", "seeds") for p in (shared_dir / d).rglob("*") if p.suffix in {".html", ".txt"})


def test_one_severity_per_code_over_the_real_pages_and_the_demo(shared_dir: Path, demo_warehouse) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    pages = real_pages(shared_dir)
    assert len(pages) >= 20
    for path in pages:
        html = path.suffix == ".html"
        result = parse_document(path.read_bytes(), input=str(path), filename=path.name,
                                content_type="text/html" if html else None)  # fmt: skip
        for issue in result.issues:
            seen[issue.check].add(issue.severity)
    rows = demo_warehouse.query("select check_name, list(distinct severity order by severity) as severities "
                                "from report_issue group by check_name").rows()  # fmt: skip
    assert len(rows) >= 8  # parser and cross-report findings
    for code, severities in rows:
        seen[code].update(severities)
    assert {code: sorted(s) for code, s in seen.items() if len(s) != 1} == {}
    # and the same severity as the source states
    codes, _ = source_issues()
    assert {code: (sorted(s), sorted(codes[code])) for code, s in seen.items() if code in codes and s != codes[code]} == {}


def test_an_agency_printed_in_part_is_a_warning_of_its_own_code() -> None:
    from etl.meta import Meta
    from etl.parse import _meta_issues

    missing = _meta_issues(Meta("2022年报告", None, None, 2022, None))
    partial = _meta_issues(Meta("2022年报告", "区财政局", "title", 2022, None))
    assert [(i.check, i.severity) for i in missing] == [("meta.agency", "error")]
    assert [(i.check, i.severity) for i in partial] == [("meta.agency_partial", "warning")]
