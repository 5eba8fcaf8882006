"""Shared fixtures. `shared_dir` is the read-only `../shared` folder (spec, seeds, real corpus) beside the repo:
tests that need it skip without it, except in CI (`CI=true`), where its absence is an error."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.register_assert_rewrite("corpus_util")  # its check_page holds the corpus test bodies: keep assert diffs

from etl.frames import PageInfo
from portal import Portal
from etl.model import Cell, Issue, ParseResult, Region, ReportMeta, Source, Value

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = REPO.parent / "shared"
    if not path.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} not found: CI must have ../shared beside the repo", pytrace=False)
        pytest.skip("../shared not found: real seeds/corpus tests need it")
    return path


@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice `soffice` executable (DOC/WPS/ODT conversion and the tests' .doc/.xls files): tests that need
    it skip without it, except in CI, where its absence is an error."""
    from crawler.convert import LIBREOFFICE_PACKAGE, find_soffice

    path = find_soffice()
    if path is None:
        message = f"LibreOffice not found (apt-get install {LIBREOFFICE_PACKAGE} libreoffice-calc-nogui)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": required when CI=true", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture
def sample_docs() -> list[tuple[PageInfo, ParseResult]]:
    """Four pages built by hand: a 2021-format report, a second version of the same URL, an unreadable one and a page
    that is not a report."""
    region = Region(province="浙江省", city="衢州市", county=None, code="330800")
    table = "三、收到和处理政府信息公开申请情况"

    def value(metric: str, applicant: str | None, number: float | None, row: str) -> Value:
        return Value(metric, applicant, "year", number, "件", False, Source("table", table, row, "总计", str(number)))

    values = [
        value("requests.new", "total", 10, "一、本年新收政府信息公开申请数量"),
        value("requests.carried_over", "total", 2, "二、上年结转政府信息公开申请数量"),
        value("requests.result.total", "total", 9, "四、结转下年度继续办理"),
        value("requests.carried_forward", "total", 3, "四、结转下年度继续办理"),
        value("requests.new", "natural_person", None, "一、本年新收政府信息公开申请数量"),
    ]
    cells = [
        Cell(v.source.section, v.source.row, v.source.column, v.source.text, v.value, v.metric, v.applicant, v.period)
        for v in values
    ] + [Cell(table, "（七）其他", "总计", "1", 1)]
    good = ParseResult(
        input="http://portal/a/2022.html",
        ok=True,
        report=ReportMeta(
            title="衢州市商务局2022年政府信息公开工作年度报告",
            agency="衢州市 商务局",
            region=region,
            report_year=2022,
            published_at="2023-01-12",
            format="2021",
            section_formats={"三": "2021", "二": "2021"},
        ),
        values=values,
        cells=cells,
        issues=[Issue("requests.balance", "warning", "off by one", "total", {"lhs": 12, "rhs": 12})],
        decoding="meta:utf-8",
    )
    older = ParseResult(
        input="http://portal/a/2022.html",
        ok=True,
        report=ReportMeta(title="旧版", agency="衢州市商务局", region=region, report_year=2022, format="2021"),
        values=values[:1],
        cells=cells[:1],
        decoding="sniff:utf-8",
    )
    broken = ParseResult(input="http://portal/b/x.html", ok=False, error="scanned PDF, no text layer")
    maintenance = ParseResult(input="http://portal/b/y.html", ok=False, not_report=True,
                              error="not an annual report: no report title, no report sections, no figures")
    return [
        (PageInfo("http://portal/a/2022.html", "a" * 64, "a", "2022年报告", "2023-01-13", "2026-01-02T00:00Z"), good),
        (PageInfo("http://portal/a/2022.html", "b" * 64, "a", "2022年报告", None, "2026-01-01T00:00:00+00:00"), older),
        (PageInfo("http://portal/b/x.html", "c" * 64, "b", "链接", "2023-02-01", "2026-01-01T00:00:00Z"), broken),
        (PageInfo("http://portal/b/y.html", "d" * 64, "b", "2021年报告", None, "2026-01-01T00:00:00Z"), maintenance),
    ]


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (tests never take the demo's fixed port, which a running `ogi demo` may hold)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(url: str | urllib.request.Request, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a request to a local server; an HTTP error status is an answer, not an exception."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory):  # -> (Warehouse, dg.ExecuteInProcessResult)
    """One in-process materialisation of every asset and check against the demo portal (both epochs, every site in
    one run), shared read-only by the tests that query a built demo warehouse."""
    from dagster_project.resources import DEMO, CrawlConfig, Warehouse
    from dagster_project.runs import materialize_sites

    tmp = tmp_path_factory.mktemp("demo-warehouse")
    wh = Warehouse(path=str(tmp / "ogi.duckdb"))
    crawl = CrawlConfig(sites=DEMO, data_dir=str(tmp / "data"), demo_port=free_port())
    result = materialize_sites({"crawl": crawl, "warehouse": wh})
    assert result.success
    return wh, result


@pytest.fixture(scope="session")
def demo_warehouse(demo_build):  # -> Warehouse
    """The demo warehouse of `demo_build` (read-only use)."""
    return demo_build[0]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's `chromium` for screenshots: required under CI=true, else the test skips without it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "chromium not found (apt-get install chromium fonts-wqy-zenhei)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": required when CI=true", pytrace=False)
        pytest.skip(message)
    return path


def screenshot(chromium: str, url: str, shot: Path, *, size: tuple[int, int], profile: Path,
               budget_ms: int | None = None, timeout: float = 180) -> None:  # fmt: skip
    """Headless Chromium's screenshot of `url` into `shot` (`size` pixels, scrollbars hidden), with a fresh profile,
    no background traffic and every host but 127.0.0.1 unresolvable; `budget_ms` of virtual time lets a JavaScript
    app fetch its data and render first (STACK.md §5d). Chromium's dbus complaints on stderr are harmless."""
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", f"--user-data-dir={profile}",
         f"--screenshot={shot}", f"--window-size={size[0]},{size[1]}",
         *([f"--virtual-time-budget={budget_ms}"] if budget_ms else []), url],
        check=True, capture_output=True, timeout=timeout,
    )  # fmt: skip


@pytest.fixture(scope="module")
def portal() -> Iterator[Portal]:
    """The demo portal (with the real corpus when ../shared is present) on a free port, for one test module."""
    with Portal(port=0, corpus_dir="auto") as running:
        yield running


@pytest.fixture(scope="module")
def truth(portal: Portal) -> dict:
    """The portal's ground truth (its first epoch) with absolute URLs."""
    return portal.truth()
