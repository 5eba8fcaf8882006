"""`ogi report` on the demo warehouse: the files, the warehouse's figures in every agency page's charts, the index's
ranking, the filters, nothing fetched from elsewhere, and a headless Chromium screenshot of a page that is not blank."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from conftest import screenshot

from dagster_project.cli import main
from reports import INDEX, agency_file


@pytest.fixture(scope="module")
def database(demo_warehouse) -> Path:
    return demo_warehouse.database()


@pytest.fixture(scope="module")
def report(database: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    assert main(["report", "--warehouse", str(database), "--out", str(out)]) == 0
    return out


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def figure(page: str, chart_id: str) -> str:
    """The markup of one <figure> (one chart) of a page."""
    match = re.search(rf'<figure id="{chart_id}">(.*?)</figure>', page, re.S)
    assert match, f"no figure {chart_id}"
    return match.group(1)


def svg_texts(markup: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", markup)


def whole(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def test_one_page_per_agency_and_an_index(report: Path, database: Path) -> None:
    agencies = {row[0] for row in query(database, "select agency_id from v_agency_year union "
                                                  "select agency_id from v_publication_ledger")}  # fmt: skip
    assert len(agencies) > 3
    assert (report / INDEX).is_file()
    assert {p.name for p in report.glob("agency-*.html")} == {agency_file(a) for a in agencies}


def test_every_page_charts_the_warehouse_figures(report: Path, database: Path) -> None:
    rows = query(database, "select agency_id, report_year, scope, requests, handled, review_total, litigation_total "
                           "from v_agency_year")  # fmt: skip
    by_agency = defaultdict(list)
    for row in rows:
        by_agency[row[0]].append(row)
    checked = 0
    for agency_id, years in by_agency.items():
        page = (report / agency_file(agency_id)).read_text(encoding="utf-8")
        requests = svg_texts(figure(page, "requests"))
        outcomes = svg_texts(figure(page, "outcomes")) if "<svg" in figure(page, "outcomes") else []
        review = svg_texts(figure(page, "review"))
        multi = len({r[2] for r in years}) > 1
        for _, year, scope, received, handled, review_total, litigation_total in years:
            label = f"{year} {scope}" if multi else str(year)
            if received is not None:
                assert label in requests, (agency_id, label)  # the axis names the year (and scope)
                assert whole(received) in requests, (agency_id, year, received)
                checked += 1
            if handled is not None:
                assert whole(handled) in outcomes, (agency_id, year, handled)
            for value in (review_total, litigation_total):
                if value is not None:
                    assert whole(value) in review, (agency_id, year, value)
    assert checked > 20


# Every outcome row under handled, read straight from fact_disclosure (applicant total, period year): 2019+ 办理结果
# rows but the total; 2014/local answer rows but the reasons under 不同意公开 (a subtotal's parts).
PRINTED_OUTCOMES_SQL = """
select y.agency_id, y.report_year, y.scope, y.handled, sum(f.value) as printed
from v_agency_year as y
left join fact_disclosure as f on f.report_id = y.report_id and f.period = 'year'
    and coalesce(f.applicant, 'total') = 'total'
    and ((f.metric like 'requests.result.%' and f.metric <> 'requests.result.total')
         or (f.metric like 'requests.answer.%' and f.metric not like 'requests.answer.withheld_%'))
where y.handled is not null
group by all
"""


def test_outcome_bars_add_up_to_handled(database: Path) -> None:
    """The outcome chart of every demo agency-year stacks bars that add up to `handled`: every outcome row the report
    prints (其他处理 and the 2014 answers included), plus an explicit `not itemised` bar exactly where the printed
    outcomes fall short of handled (cells printed blank)."""
    from reports import charts, data

    printed = {(a, y, s): (handled, total) for a, y, s, handled, total in query(database, PRINTED_OUTCOMES_SQL)}
    checked = completed = 0
    with data.connect(str(database)) as con:
        for agency in data.agencies(con):
            years = data.agency_data(con, agency)["years"]
            spec = charts.outcomes_chart(years)
            if spec is None:
                continue
            bars, labels = spec["layer"][0]["data"]["values"], spec["layer"][1]["data"]["values"]
            multi = charts.multi_scope(years)
            for row in years:
                if row["handled"] is None:
                    continue
                label = charts.period(row, multi)
                mine = [b for b in bars if b["period"] == label]
                assert sum(b["value"] for b in mine) == row["handled"], (agency["agency"], label, mine)
                assert [t["total"] for t in labels if t["period"] == label] == [row["handled"]]
                handled, total = printed[(agency["agency_id"], row["report_year"], row["scope"])]
                rest = [b["value"] for b in mine if b["series"] == charts.REMAINDER]
                assert rest == ([handled - (total or 0)] if (total or 0) < handled else []), (agency["agency"], label)
                completed += any(b["series"] in {charts.OUTCOMES[-2][1], charts.OUTCOMES[-1][1]} and b["value"]
                                 for b in mine)  # fmt: skip
                checked += 1
    assert checked > 50
    assert completed > 20  # agency-years whose 其他处理 / already-public answers the five bars used to leave out


def test_agency_page_shows_applicants_refusals_scorecard_and_ledger(report: Path, database: Path) -> None:
    # the agency with the most requests split by applicant (a 2019+ table)
    agency_id, year, natural = query(database, """
        select y.agency_id, y.report_year, f.value
        from v_agency_year as y join fact_disclosure as f on f.report_id = y.report_id
        where f.metric = 'requests.new' and f.applicant = 'natural_person' and f.period = 'year' and f.value > 0
        order by f.value desc, y.agency_id limit 1""")[0]  # fmt: skip
    page = (report / agency_file(agency_id)).read_text(encoding="utf-8")
    assert "自然人" in svg_texts(figure(page, "requests"))  # the applicant legend, in Chinese
    refusals = query(database, f"select label_zh from v_refusal_reasons where agency_id = '{agency_id}' "
                               "and applicant = 'total' and value > 0")  # fmt: skip
    assert refusals and all(label in figure(page, "refusals") for (label,) in refusals)
    statuses = {s for (s,) in query(database, f"select status from v_publication_ledger where agency_id = '{agency_id}'")}
    assert statuses <= set(svg_texts(figure(page, "ledger")))
    assert "<svg" in figure(page, "scorecard")


def test_index_ranks_agencies_by_requests_received(report: Path, database: Path) -> None:
    totals: dict[str, float | None] = {}
    for agency_id, requests in query(database, "select agency_id, requests from v_agency_year"):
        if requests is not None:
            totals[agency_id] = (totals.get(agency_id) or 0) + requests
        else:
            totals.setdefault(agency_id, None)
    for (agency_id,) in query(database, "select agency_id from v_publication_ledger"):
        totals.setdefault(agency_id, None)
    names = dict(query(database, "select agency_id, name from dim_agency"))
    expected = sorted(totals, key=lambda a: (totals[a] is None, -(totals[a] or 0), names[a], a))
    index = (report / INDEX).read_text(encoding="utf-8")
    table = index[index.index("<table"):]
    links = re.findall(r'<a href="agency-([0-9a-f]+)\.html">', table)
    assert links == expected
    top = expected[0]
    assert f">{whole(totals[top])}</text>" in figure(index, "ranking")  # the ranking chart carries the totals


def test_filters(database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name, region, agency_id = query(database, "select agency, region_code, agency_id from v_agency_year "
                                              "order by requests desc nulls last limit 1")[0]  # fmt: skip
    assert main(["report", "--warehouse", str(database), "--agency", name, "--out", str(tmp_path / "one")]) == 0
    assert [p.name for p in (tmp_path / "one").glob("agency-*.html")] == [agency_file(agency_id)]
    prefix = region[:2]
    in_region = {a for (a,) in query(database, f"select agency_id from dim_agency where region_code like '{prefix}%' "
                                               "and agency_id in (select agency_id from v_publication_ledger)")}
    assert main(["report", "--warehouse", str(database), "--region", prefix, "--out", str(tmp_path / "region")]) == 0
    assert {p.name for p in (tmp_path / "region").glob("agency-*.html")} == {agency_file(a) for a in in_region}
    assert main(["report", "--warehouse", str(database), "--agency", "无此机关", "--out", str(tmp_path / "x")]) == 1
    assert "no agency named '无此机关'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "--agency", name, "--region", prefix, "--out", str(tmp_path / "x")])


def test_a_report_again_renders_only_what_changed(database: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """`ogi report` into the same folder again renders no page (report-state.json); a page written over by hand or
    deleted, or an agency whose recorded fingerprint differs, is rendered again, and only that one."""
    import json

    from reports import STATE

    out = tmp_path / "r"
    assert main(["report", "--warehouse", str(database), "--out", str(out)]) == 0
    pages = sorted(out.glob("agency-*.html"))
    assert f"wrote {len(pages)} of {len(pages)} agency page(s)" in capsys.readouterr().out
    assert main(["report", "--warehouse", str(database), "--out", str(out)]) == 0
    assert f"wrote 0 of {len(pages)} agency page(s)" in capsys.readouterr().out
    state = json.loads((out / STATE).read_text(encoding="utf-8"))
    first, second, third = (p.name.removeprefix("agency-").removesuffix(".html") for p in pages[:3])
    state["pages"][first]["fingerprint"] = "an earlier state"
    (out / STATE).write_text(json.dumps(state), encoding="utf-8")
    pages[1].write_text("edited by hand", encoding="utf-8")
    pages[2].unlink()
    assert main(["report", "--warehouse", str(database), "--out", str(out)]) == 0
    assert f"wrote 3 of {len(pages)} agency page(s)" in capsys.readouterr().out
    assert "edited by hand" not in pages[1].read_text(encoding="utf-8") and pages[2].is_file()
    assert {first, second, third} <= set(json.loads((out / STATE).read_text(encoding="utf-8"))["pages"])


def test_capped_runs_leave_pages_pending_and_catch_up(database: Path, tmp_path: Path) -> None:
    """A capped update renders the first pages, names the others on the index (no link yet) and in its result; the
    next one renders the rest; then nothing. A changed figure re-renders its agency's page only; an agency no longer
    in the warehouse loses its page."""
    import shutil

    from reports import data
    from reports.build import update_report

    copy = tmp_path / "w.duckdb"
    shutil.copy(database, copy)
    out = tmp_path / "r"
    with duckdb.connect(str(copy)) as con:
        ids = set(data.fingerprints(con))
        assert ids == {r["agency_id"] for r in data.agencies(con)}  # the pages are the index's agencies
        n = len(ids)
        first = update_report(con, out, source="w.duckdb", max_pages=3, workers=1)
        assert (first.agencies, first.rendered, first.pending, first.unchanged) == (n, 3, n - 3, 0)
        index = (out / INDEX).read_text(encoding="utf-8")
        linked = set(re.findall(r'<a href="agency-([0-9a-f]+)\.html">', index))
        assert len(linked) == 3 and {p.name for p in out.glob("agency-*.html")} == {agency_file(a) for a in linked}
        assert index.count("page pending: rendered by a later run") == n - 3
        assert f"{n - 3} agency page(s) not up to date: a run renders at most 3 pages" in index
        rest = update_report(con, out, source="w.duckdb", workers=1)
        assert (rest.rendered, rest.pending, rest.unchanged, rest.index_written) == (n - 3, 0, 3, True)
        assert "page pending" not in (out / INDEX).read_text(encoding="utf-8")
        quiet = update_report(con, out, source="w.duckdb", workers=1)
        assert (quiet.rendered, quiet.unchanged, quiet.index_written, quiet.query_seconds < 1) == (0, n, False, True)

        # one figure changes: its agency's page only, with the new figure
        agency_id, report_id, requests = con.execute(
            "select agency_id, report_id, requests from v_agency_year where requests > 0 "
            "order by requests desc, report_id limit 1").fetchone()  # fmt: skip
        con.execute("update fact_disclosure set value = value + 1000 where report_id = $1 "
                    "and metric in ('requests.new', 'requests.received') and coalesce(applicant, 'total') = 'total' "
                    "and period = 'year'", [report_id])  # fmt: skip
        changed = update_report(con, out, source="w.duckdb", workers=1)
        assert (changed.rendered, changed.unchanged) == (1, n - 1)
        page = (out / agency_file(agency_id)).read_text(encoding="utf-8")
        assert f">{int(requests) + 1000}</text>" in figure(page, "requests")

        # an agency gone from the warehouse: its page is deleted, the index no longer lists it
        con.execute("update dim_report set agency_id = null where agency_id = $1", [agency_id])
        gone = update_report(con, out, source="w.duckdb", workers=1)
        assert (gone.agencies, gone.removed, gone.rendered) == (n - 1, 1, 0)
        assert not (out / agency_file(agency_id)).exists()
        assert agency_file(agency_id) not in (out / INDEX).read_text(encoding="utf-8")


def test_a_process_pool_writes_the_same_pages(report: Path, database: Path, tmp_path: Path) -> None:
    """Pages rendered by forkserver workers are byte for byte those rendered in process (the `report` fixture)."""
    from reports import data
    from reports.build import update_report

    out = tmp_path / "pool"
    with data.connect(str(database)) as con:
        done = update_report(con, out, source=database.name, workers=2)
    assert (done.workers, done.rendered, done.pending) == (2, done.agencies, 0)
    names = sorted(p.name for p in report.glob("*.html"))
    assert names == sorted(p.name for p in out.glob("*.html"))
    assert [n for n in names if (out / n).read_bytes() != (report / n).read_bytes()] == []
    assert list(out.glob(".charts-*")) == []  # the workers' shared charts went with the update


def test_an_update_removes_the_shared_charts_a_killed_update_left(database: Path, tmp_path: Path) -> None:
    from reports import data
    from reports.build import CHARTS, update_report

    out = tmp_path / "out"
    (out / f"{CHARTS}killed").mkdir(parents=True)
    (out / f"{CHARTS}killed" / "chart.svg").write_text("<svg/>", encoding="utf-8")
    with data.connect(str(database)) as con:
        update_report(con, out, source=database.name, max_pages=1, workers=1)
    assert list(out.glob(f"{CHARTS}*")) == []


def test_processes_of_an_update_draw_a_chart_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chart drawn by one worker is read from the update's shared folder by the others, not drawn again."""
    from reports import build

    spec = {"mark": "bar", "data": {"values": [{"年": "2023", "n": 3}, {"年": "2024", "n": 5}]},
            "encoding": {"x": {"field": "年", "type": "ordinal"}, "y": {"field": "n", "type": "quantitative"}}}  # fmt: skip
    drawn = build._draw(spec, str(tmp_path))
    assert drawn.startswith("<svg") and [p.suffix for p in tmp_path.iterdir()] == [".svg"]
    build._svg_of.cache_clear()  # as in another process: nothing drawn in memory

    def fail(spec: object) -> str:
        raise AssertionError("drawn again")

    monkeypatch.setattr(build, "svg", fail)
    assert build._draw(spec, str(tmp_path)) == drawn
    build._svg_of.cache_clear()
    with pytest.raises(AssertionError, match="drawn again"):  # without the folder it would be drawn
        build._draw(spec, None)


def test_pages_are_self_contained(report: Path) -> None:
    for page in report.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text and "<link" not in text and "@import" not in text, page.name
        assert not re.search(r'\b(src|xlink:href)="(https?:)?//', text), page.name
        assert "WenQuanYi Zen Hei" in text  # the CJK font list, in the CSS and the SVG text


def test_chromium_screenshot_of_an_agency_page_is_not_blank(report: Path, database: Path, chromium: str,
                                                            tmp_path: Path) -> None:  # fmt: skip
    from PIL import Image

    agency_id = query(database, "select agency_id from v_agency_year order by requests desc nulls last limit 1")[0][0]
    page = report / agency_file(agency_id)
    shot = tmp_path / "agency.png"
    screenshot(chromium, page.resolve().as_uri(), shot, size=(1200, 2000), profile=tmp_path / "profile")
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        assert rgb.size == (1200, 2000)
        pixels = list(rgb.getdata())
    non_white = sum(1 for p in pixels if min(p) < 235)
    coloured = sum(1 for p in pixels if max(p) - min(p) > 60)  # the bars, not only black text
    assert non_white > 0.05 * len(pixels), non_white
    assert coloured > 0.01 * len(pixels), coloured
