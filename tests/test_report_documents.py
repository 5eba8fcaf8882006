"""A report made of several documents (etl.parse.parse_report): an article page and the files it links (附件).

The report is a generated 2021-format report of the demo portal's generator (portal.values / portal.render),
written as the article's HTML and, with the project's own writers, as PDF (portal.pdfgen), DOCX and XLS
(portal.officegen); the article pages wrap it the way CMS pages do (`详见附件` with a link, or the report printed in
full with a PDF copy attached).
"""

from __future__ import annotations

import dataclasses
import html
import random
from functools import cache

import polars as pl
import pymupdf
import pytest

from etl import frames
from etl.frames import PageInfo
from etl.model import Document, Hints, ParseResult
from etl.parse import parse_document, parse_report
from portal.blocks import blocks
from portal.officegen import docx_bytes
from portal.pdfgen import pdf_bytes
from portal.render import Author, merge_values, render_report
from portal.values import Profile, generate_report

TITLE = "平潭综合实验区商务局2022年政府信息公开工作年度报告"
AGENCY = "平潭综合实验区商务局"
ARTICLE = "http://www.pingtan.gov.cn/xxgk/ndbg/202301/t20230116_1.htm"
PDF = "http://www.pingtan.gov.cn/xxgk/ndbg/202301/P020230116_1.pdf"
DOCX = "http://www.pingtan.gov.cn/xxgk/ndbg/202301/P020230116_2.docx"
XLS = "http://www.pingtan.gov.cn/xxgk/ndbg/202301/P020230116_3.xls"
HINTS = Hints(site="pingtan", agency="平潭综合实验区党工委管委会", region="福建省平潭县", title=TITLE,
              published_at="2023-01-17")
CHANGED = ("active.punishment.decisions", None, "year")  # a figure no within-report check adds up


@cache
def fragment(changed: bool = False) -> str:
    """The report body (HTML fragment); `changed`: the same report with one table figure printed differently."""
    data = generate_report(random.Random(7), Profile(requests=20, active=(300, 800)), 2022, "2021", None)
    if changed:
        data.values[CHANGED] = data.values[CHANGED] + 1
    author = Author(AGENCY, "区商务局", "我局", "福建省")
    return render_report(data, author=author, rng=random.Random(8)).html


@cache
def truth() -> dict[tuple, object]:
    data = generate_report(random.Random(7), Profile(requests=20, active=(300, 800)), 2022, "2021", None)
    author = Author(AGENCY, "区商务局", "我局", "福建省")
    values = merge_values(render_report(data, author=author, rng=random.Random(8)).values)
    return {(v["metric"], v["applicant"], v["period"]): v["value"] for v in values}


@cache
def pdf(changed: bool = False, scanned: bool = False) -> bytes:
    return pdf_bytes(blocks(fragment(changed), TITLE), scanned=scanned)


@cache
def blank_scan() -> bytes:
    """A scanned page that shows only paper: an image-only PDF without any text to recognise."""
    doc = pymupdf.open()
    page = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 300, 420), False)
    pix.set_rect(pix.irect, (235,))
    page.insert_image(page.rect, pixmap=pix)
    return doc.tobytes()


def article_page(body: str, *, title: str | None = TITLE, date: str = "2023-01-16") -> bytes:
    h1 = html.escape(title) if title else ""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{h1 or "政府信息公开年报"}_平潭综合实验区党工委管委会</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/zwgk/ndbg/">政府信息公开年报</a></div>
<div class="article"><h1>{h1}</h1><div class="info">发布机构：{AGENCY if title else ""} 发布日期：{date}</div>
<div class="TRS_Editor">{body}</div></div>
<div class="footer">主办单位：平潭综合实验区党工委管委会办公室</div></body></html>""".encode()


def see_attachment(*links: tuple[str, str]) -> str:
    items = "".join(f'<p><a href="{u}">{html.escape(t)}</a></p>' for u, t in links)
    return f"<p>详见附件。</p><p>附件：</p>{items}"


def article(body: str, **kw: object) -> Document:
    return Document(ARTICLE, None, "article", article_page(body, **kw), "text/html; charset=utf-8")  # type: ignore[arg-type]


def attachment(url: str, data: bytes | None, title: str = TITLE + ".pdf", **kw: object) -> Document:
    name = url.rsplit("/", 1)[-1]
    return Document(url, None, "attachment", data, filename=name, title=title, **kw)  # type: ignore[arg-type]


def values_of(r: ParseResult) -> dict[tuple, object]:
    return {v.key: v.value for v in r.values}


def checks(r: ParseResult) -> list[str]:
    return [i.check for i in r.issues]


def assert_truth(r: ParseResult) -> None:
    got = values_of(r)
    wrong = {k: (v, got.get(k)) for k, v in truth().items() if got.get(k, "missing") != v}
    assert not wrong, list(wrong.items())[:5]
    assert len(r.values) == len(got)  # one value per key


# --- the article says 详见附件 --------------------------------------------------------------------------------------


def test_attachment_only_article_takes_the_pdf_values() -> None:
    docs = [article(see_attachment((PDF, TITLE + ".pdf"))), attachment(PDF, pdf())]
    r = parse_report(docs, input=ARTICLE, hints=HINTS)
    assert r.ok and not r.not_report, r.error
    assert_truth(r)
    assert {v.source.document for v in r.values} == {PDF}
    assert r.cells and {c.document for c in r.cells} == {PDF}
    assert [i for i in r.issues if i.severity == "error"] == []
    # metadata from the article: its printed title, agency and 发布日期 (not the list date of the hints)
    m = r.report
    assert m is not None
    assert (m.title, m.agency, m.report_year, m.published_at, m.format) == (TITLE, AGENCY, 2022, "2023-01-16", "2021")
    assert m.section_formats == {"二": "2021", "三": "2021", "四": "2021"}
    assert [(d.url, d.role, d.ok, d.error, d.n_values) for d in r.documents] == [
        (ARTICLE, "article", True, None, 0),
        (PDF, "attachment", True, None, len(r.values)),
    ]
    assert r.documents[1].title == TITLE + ".pdf"
    # the same figures as the PDF read alone
    alone = parse_document(pdf(), input=PDF, filename="a.pdf")
    assert values_of(alone) == values_of(r)


def test_provenance_in_the_contract() -> None:
    r = parse_report([article(see_attachment((PDF, "附件1"))), attachment(PDF, pdf())], input=ARTICLE)
    c = r.to_contract()
    assert set(c) == {"input", "ok", "error", "report", "values", "unmapped", "issues", "documents"}
    assert {v["source"]["document"] for v in c["values"]} == {PDF}
    assert all(u["document"] == PDF for u in c["unmapped"])
    assert [(d["url"], d["role"], d["ok"]) for d in c["documents"]] == [(ARTICLE, "article", True), (PDF, "attachment", True)]


def test_article_without_a_title_is_a_report_through_its_attachment() -> None:
    # the 详见附件 page prints no title (only the list anchor names the report): the PDF makes it a report, and gives
    # the title, agency and year the article lacks; the article's 发布日期 stays the publication date
    docs = [article(see_attachment((PDF, "附件1.pdf")), title=None), attachment(PDF, pdf(), title="附件1.pdf")]
    r = parse_report(docs, input=ARTICLE)
    assert r.ok, r.error
    assert_truth(r)
    m = r.report
    assert m is not None and (m.title, m.agency, m.report_year, m.published_at) == (TITLE, AGENCY, 2022, "2023-01-16")
    # the same article alone is not a report
    alone = parse_document(docs[0].data or b"", input=ARTICLE, content_type="text/html", hints=HINTS)
    assert alone.not_report and alone.error == "not an annual report: no report title, no report sections, no figures"


def test_docx_and_xls_attachments(soffice: str) -> None:
    from portal.officegen import xls_bytes

    bl = blocks(fragment(), TITLE)
    for url, data in ((DOCX, docx_bytes(bl)), (XLS, xls_bytes(bl))):
        r = parse_report([article(see_attachment((url, TITLE))), attachment(url, data)], input=ARTICLE)
        assert r.ok, (url, r.error)
        table = {k: v for k, v in values_of(r).items() if k in truth()}
        assert table and all(truth()[k] == v for k, v in table.items()), url
        assert {v.source.document for v in r.values} == {url}
        assert [(d.ok, d.n_values) for d in r.documents] == [(True, 0), (True, len(r.values))]


def test_attachments_in_order_and_their_disagreement() -> None:
    # two attachments print the section tables: the first one's figures are kept, the other's differing one is flagged
    docs = [article(see_attachment((PDF, "全文"), (DOCX, "全文（Word版）"))), attachment(PDF, pdf()),
            attachment(DOCX, docx_bytes(blocks(fragment(changed=True), TITLE)), title="全文（Word版）")]
    r = parse_report(docs, input=ARTICLE)
    assert r.ok
    assert_truth(r)
    assert {v.source.document for v in r.values} == {PDF}
    disagree = [i for i in r.issues if i.check == "documents.disagree" and i.details and i.details["kind"] == "table"]
    assert len(disagree) == 1
    d = disagree[0].details
    assert d is not None
    assert (d["metric"], d["kept"], d["kept_document"], d["other"], d["other_document"]) == (
        CHANGED[0], truth()[CHANGED], PDF, truth()[CHANGED] + 1, DOCX)  # type: ignore[operator]
    assert disagree[0].severity == "warning"
    assert [(x.url, x.n_values) for x in r.documents] == [(ARTICLE, 0), (PDF, len(r.values)), (DOCX, 0)]


# --- the article prints the report, a PDF copy attached ----------------------------------------------------------


def test_identical_copy_keeps_the_article_and_is_silent() -> None:
    docs = [article(fragment()), attachment(PDF, pdf())]
    r = parse_report(docs, input=ARTICLE)
    assert r.ok
    assert_truth(r)
    assert {v.source.document for v in r.values} == {ARTICLE}
    assert "documents.disagree" not in checks(r)
    alone = parse_document(docs[0].data or b"", input=ARTICLE, content_type="text/html")
    assert [dataclasses.replace(v, source=dataclasses.replace(v.source, document=None)) for v in r.values] == alone.values
    assert checks(r) == checks(alone)
    # every printed cell is kept, with the document it was printed in
    assert [c.document for c in r.cells] == [ARTICLE] * len(alone.cells) + [PDF] * (len(r.cells) - len(alone.cells))
    assert [(d.n_values, d.ok) for d in r.documents] == [(len(r.values), True), (0, True)]


def test_differing_copy_gives_documents_disagree() -> None:
    r = parse_report([article(fragment()), attachment(PDF, pdf(changed=True))], input=ARTICLE)
    assert r.ok
    assert_truth(r)  # the article's figures are kept
    issues = [i for i in r.issues if i.check == "documents.disagree"]
    table = [i for i in issues if i.details and i.details["kind"] == "table"]
    assert len(table) == 1
    assert ARTICLE in table[0].message and PDF in table[0].message
    assert table[0].details == {
        "metric": CHANGED[0], "applicant": None, "period": "year", "kind": "table",
        "kept": truth()[CHANGED], "kept_document": ARTICLE, "kept_text": str(truth()[CHANGED]),
        "other": truth()[CHANGED] + 1, "other_document": PDF, "other_text": str(truth()[CHANGED] + 1),  # type: ignore[operator]
    }


# --- attachments that cannot be read ----------------------------------------------------------------------------


def test_missing_attachment_is_named() -> None:
    # the article prints the report: a missing PDF copy is a warning
    r = parse_report([article(fragment()), attachment(PDF, None, error="HTTP 404")], input=ARTICLE)
    assert r.ok
    assert_truth(r)
    [issue] = [i for i in r.issues if i.check == "attachment.unreadable"]
    assert issue.severity == "warning" and PDF in issue.message and "HTTP 404" in issue.message
    assert issue.details == {"document": PDF, "reason": "not fetched (HTTP 404)"}
    assert [(d.ok, d.error, d.sha256) for d in r.documents][1] == (False, "not fetched (HTTP 404)", None)


def test_missing_attachment_of_an_attachment_only_article() -> None:
    # the article says 详见附件 and its only attachment is missing: still a report, without figures
    r = parse_report([article(see_attachment((PDF, TITLE))), attachment(PDF, None, error="timeout")], input=ARTICLE)
    assert r.ok and not r.not_report and r.values == []
    assert r.report is not None and (r.report.title, r.report.report_year) == (TITLE, 2022)
    by_check = {i.check: i for i in r.issues}
    assert set(by_check) == {"attachment.unreadable_no_figures", "values.none"}  # it left the report without any figure
    issue = by_check["attachment.unreadable_no_figures"]
    assert issue.severity == "error" and PDF in issue.message and "timeout" in issue.message


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        # a scanned page is read by OCR (etl/ocr.py); one that shows no text at all stays unreadable
        ("scanned.pdf", lambda: blank_scan(), "scanned PDF, no text layer; OCR: no text recognised"),
        ("broken.docx", lambda: b"PK\x03\x04\x14\x00", "broken or truncated zip/office file (File is not a zip file)"),
        ("empty.pdf", lambda: b"", "empty document"),
    ],
)
def test_unreadable_attachment(name: str, data, reason: str) -> None:
    url = f"http://www.pingtan.gov.cn/xxgk/{name}"
    r = parse_report([article(see_attachment((url, TITLE))), attachment(url, data())], input=ARTICLE)
    assert r.ok and r.values == []
    [issue] = [i for i in r.issues if i.check == "attachment.unreadable_no_figures"]
    assert issue.details == {"document": url, "reason": reason}
    assert issue.severity == "error"
    assert (r.documents[1].ok, r.documents[1].error) == (False, reason)


def test_doc_attachment_needs_the_converter(soffice: str) -> None:
    from crawler.convert import soffice_convert
    from portal.officegen import doc_bytes

    url = "http://www.pingtan.gov.cn/xxgk/report.doc"
    data = doc_bytes(blocks(fragment(), TITLE))
    docs = [article(see_attachment((url, TITLE))), attachment(url, data)]
    without = parse_report(docs, input=ARTICLE)
    [issue] = [i for i in without.issues if i.check == "attachment.unreadable_no_figures"]  # its only document
    assert url in issue.message and without.documents[1].ok is False
    with_converter = parse_report(docs, input=ARTICLE, convert=soffice_convert)
    assert_truth(with_converter)
    assert {v.source.document for v in with_converter.values} == {url}


def test_an_attachment_that_is_not_a_report_is_not_read() -> None:
    # a 解读 PDF attached to the report page: its figures are not the report's
    explainer = pdf_bytes(blocks("<p>一、主动公开政府信息情况</p><p>全年主动公开政府信息999条。</p>",
                                 "图解：" + TITLE))
    url = "http://www.pingtan.gov.cn/xxgk/tujie.pdf"
    r = parse_report([article(fragment()), attachment(url, explainer, title="图解")], input=ARTICLE)
    assert r.ok
    assert_truth(r)
    [issue] = [i for i in r.issues if i.check == "attachment.unreadable"]
    assert issue.severity == "warning" and issue.details is not None
    assert issue.details["reason"].startswith("not an annual report: a document about a report")
    assert {v.source.document for v in r.values} == {ARTICLE}


def test_a_notice_with_a_report_attached_is_not_a_report() -> None:
    notice = "关于报送2022年政府信息公开工作年度报告的通知"
    page = article_page("<p>各单位：请于2023年1月20日前报送年度报告，格式见附件。</p>", title=notice)
    docs = [Document(ARTICLE, None, "article", page, "text/html"), attachment(PDF, pdf(), title="年度报告格式")]
    r = parse_report(docs, input=ARTICLE, hints=HINTS)
    assert (r.ok, r.not_report) == (False, True)
    assert r.error is not None and notice in r.error
    assert [d.ok for d in r.documents] == [False, True]


def test_one_document_is_parse_document() -> None:
    data = article_page(fragment())
    one = parse_report([Document(ARTICLE, None, "article", data, "text/html")], input=ARTICLE, hints=HINTS)
    doc = parse_document(data, input=ARTICLE, content_type="text/html", url=ARTICLE, hints=HINTS)
    assert one.to_contract() == doc.to_contract()
    assert "documents" not in doc.to_contract() and all("document" not in v["source"] for v in doc.to_contract()["values"])
    assert [(d.url, d.role, d.ok, d.n_values) for d in doc.documents] == [(ARTICLE, "article", True, len(doc.values))]


def test_no_document_and_unreadable_article() -> None:
    assert parse_report([], input="x").error == "no document"
    r = parse_report([Document(ARTICLE, None, "article", None, error="HTTP 500")], input=ARTICLE)
    assert (r.ok, r.not_report, r.error) == (False, False, "not fetched (HTTP 500)")
    # the article could not be fetched, its attachment is the report
    r = parse_report([Document(ARTICLE, None, "article", None, error="timeout"), attachment(PDF, pdf())], input=ARTICLE)
    assert r.ok and "article.unreadable" in checks(r)
    assert_truth(r)


# --- warehouse frames -----------------------------------------------------------------------------------------------


def test_frames_of_a_report_of_several_documents_and_of_a_non_report() -> None:
    multi = parse_report([article(see_attachment((PDF, TITLE))), attachment(PDF, pdf()),
                          attachment(DOCX, None, title="Word版", error="HTTP 404")], input=ARTICLE)
    notice = parse_document(article_page("<p>请各单位报送年度报告。</p>", title="关于报送2022年政府信息公开工作年度报告的通知"),
                            input="http://www.pingtan.gov.cn/notice.htm", content_type="text/html")
    pages = [
        (PageInfo(ARTICLE, "a" * 64, "pingtan", TITLE, "2023-01-17", "2026-01-01T00:00:00Z"), multi),
        (PageInfo("http://www.pingtan.gov.cn/notice.htm", "b" * 64, "pingtan", "2022年政府信息公开工作年度报告",
                  None, "2026-01-01T00:00:00Z"), notice),
    ]
    out = frames.report_frames(pages)
    assert out.dim_report["url"].to_list() == [ARTICLE]
    rid = frames.report_id(ARTICLE, "a" * 64)
    assert set(out.fact_disclosure["document_url"]) == {PDF}
    assert set(out.fact_raw_cell["document_url"]) == {PDF}
    assert out.report_document.rows() == [
        (rid, 0, ARTICLE, multi.documents[0].sha256, "article", None, True, None, 0),
        (rid, 1, PDF, multi.documents[1].sha256, "attachment", TITLE + ".pdf", True, None, len(multi.values)),
        (rid, 2, DOCX, None, "attachment", "Word版", False, "not fetched (HTTP 404)", 0),
    ]
    issue = out.report_issue.filter(pl.col("check_name") == "attachment.unreadable").row(0, named=True)
    assert DOCX in issue["message"]
    assert out.non_report_page.rows() == [(
        frames.report_id("http://www.pingtan.gov.cn/notice.htm", "b" * 64), "http://www.pingtan.gov.cn/notice.htm",
        "b" * 64, "pingtan", "2022年政府信息公开工作年度报告",
        notice.error.removeprefix("not an annual report: "),  # type: ignore[union-attr]
    )]
    # no report row, fact or issue of the notice
    assert out.report_issue["report_id"].unique().to_list() == [rid]
    again = frames.report_frames(list(reversed(pages)))
    for a, b in zip(out, again, strict=True):
        assert a.equals(b)


# --- the demo portal's reports, as served (article pages and their attachments) ------------------------------------


def test_every_demo_report_read_from_its_documents() -> None:
    """Every report of the demo portal read from the documents it is served as (`truth()["reports"][i]["documents"]`:
    the article page first, then its attachments; a PDF linked from the list is one document): the figures are the
    truth, each from the document that prints them (`values_in`: the article, or the attachment URL), and the report-like
    list items that lead to a maintenance or login page are not reports."""
    import urllib.request
    from urllib.parse import urlsplit

    from etl.evaluate import score
    from portal import Portal

    def fetch(url: str) -> tuple[str | None, bytes]:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.headers.get("Content-Type"), response.read()

    with Portal(corpus_dir=None) as portal:
        truth_ = portal.truth()
        for url in truth_["not_report_urls"]:
            ctype, body = fetch(url)
            r = parse_document(body, input=url, content_type=ctype)
            assert (r.ok, r.not_report) == (False, True), url
        several = 0
        for report in truth_["reports"]:
            docs = []
            for i, d in enumerate(report["documents"]):
                ctype, body = fetch(d["url"])
                path = urlsplit(d["url"])
                name = path.query.rsplit("=", 1)[1] if "filename=" in path.query else path.path.rsplit("/", 1)[1]
                docs.append(Document(d["url"], None, "article" if i == 0 else "attachment", body, ctype, name))
            r = parse_report(docs, input=report["url"])
            expected = {k: report[k] for k in ("values", "report_year", "format", "section_formats", "kind")}
            s = score(r, expected | {"path": report["url"]})
            assert s.ok and s.correct, (report["url"], s.error, [m.describe() for m in s.mismatches[:5]])
            assert not [i for i in r.issues if i.check in ("documents.disagree", "attachment.unreadable")], report["url"]
            if len(docs) > 1:
                several += 1
                printed_in = docs[0].url if report["values_in"] == "article" else report["values_in"]
                assert {v.source.document for v in r.values} == {printed_in}, report["url"]
        assert several == 6
