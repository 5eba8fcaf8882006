"""The warehouse built from the demo portal's CMS family sites (tests/conftest.py `demo_build`: a real crawl and
parse through Dagster): every family's reports with their printed numbers, attachment-only reports read from their
PDF, DOCX and XLS files with the file named in the provenance, attachment copies, a list link straight to the
report file, and pages behind report-like links that are not reports kept out of the reports."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from dagster_project.resources import Warehouse
from portal import Portal
from portal.sites import EPOCHS


def key(url: str) -> str:
    """A URL without its origin (the demo build and this truth run on different ports)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def truth() -> Iterator[dict]:
    """The portal's latest epoch: the demo build crawled both, so its current reports are those of epoch 2."""
    with Portal(port=0, corpus_dir="auto") as portal:
        portal.set_epoch(EPOCHS[-1])
        yield portal.truth()


def facts(wh: Warehouse, url_key: str) -> dict[tuple, tuple]:
    rows = wh.query(
        "select f.metric, f.applicant, f.period, f.value, f.document_url from fact_disclosure f "
        "join dim_report r using (report_id) where r.is_current and r.url like '%' || ?",
        [url_key],
    )
    return {(m, a, p): (v, key(d)) for m, a, p, v, d in rows.iter_rows()}


def test_every_family_site_is_in_the_warehouse_with_its_numbers(demo_warehouse: Warehouse, truth: dict) -> None:
    families = {s["family"] for s in truth["sites"].values()}
    assert families == {"html", "trs", "script", "hanweb", "trsapi", "gkmlpt", "json"}
    for report in (r for r in truth["reports"] if r["values"] is not None):  # generated reports (not the corpus)
        got = facts(demo_warehouse, key(report["url"]))
        want = {(v["metric"], v["applicant"], v["period"]): v["value"] for v in report["values"]}
        assert {k: v for k, (v, _) in got.items()} == want, (report["site"], report["report_year"])


def test_attachment_only_reports_are_read_from_their_files(demo_warehouse: Warehouse, truth: dict) -> None:
    read_from = {r["values_in"] for r in truth["reports"] if r.get("values_in") not in (None, "article")}
    assert {urlsplit(u).path.rsplit(".", 1)[1] for u in read_from} == {"xls", "pdf", "docx"}
    for report in truth["reports"]:
        if report.get("values_in") in (None, "article"):
            continue
        got = facts(demo_warehouse, key(report["url"]))
        assert got and {doc for _, doc in got.values()} == {key(report["values_in"])}, report["url"]  # provenance
        docs = demo_warehouse.query(
            "select d.role, d.url, d.ok, d.n_values from report_document d join dim_report r using (report_id) "
            "where r.url like '%' || ? order by d.ordinal",
            [key(report["url"])],
        ).rows()
        assert [(role, key(url), ok) for role, url, ok, _ in docs] == [
            ("article" if n == 0 else "attachment", key(d["url"]), True) for n, d in enumerate(report["documents"])
        ]
        assert docs[-1][3] == len(report["values"])  # every figure came from the file


def test_attachment_copies_leave_the_article_as_the_source(demo_warehouse: Warehouse, truth: dict) -> None:
    copies = [r for r in truth["reports"] if r.get("values_in") == "article" and len(r.get("documents", [])) > 1]
    assert {r["site"] for r in copies} == {"quzhou", "qzswj"}
    for report in copies:
        got = facts(demo_warehouse, key(report["url"]))
        assert {doc for _, doc in got.values()} == {key(report["url"])}
        issues = demo_warehouse.query(
            "select check_name from report_issue i join dim_report r using (report_id) where r.url like '%' || ? "
            "and check_name like 'document%'",
            [key(report["url"])],
        )
        assert issues.height == 0  # identical copies: no disagreement


def test_pages_that_are_not_reports_stay_out_of_the_reports(demo_warehouse: Warehouse, truth: dict) -> None:
    assert len(truth["not_report_urls"]) == 2
    for url in truth["not_report_urls"]:
        assert demo_warehouse.query("select count(*) from dim_report where url like '%' || ?", [key(url)]).item() == 0
        [(reason,)] = demo_warehouse.query("select reason from non_report_page where url like '%' || ?", [key(url)]).rows()
        assert reason == "no report title, no report sections, no figures"
        # kept in the archive's table all the same: raw first, nothing lost
        assert demo_warehouse.query("select count(*) from raw_page where url like '%' || ?", [key(url)]).item() == 1
