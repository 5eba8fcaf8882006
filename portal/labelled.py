"""The labelled corpus: every generated report of the demo portal in every input type, with its ground truth.

`labelled_docs()` yields `LabelledDoc`s for the input types:

- `html`: the page as the portal serves it (site encoding, metadata block, page chrome);
- `text-pipe`, `text-lines`, `text-flat`: the report body as plain text (`portal.textgen`), encoded like the
  site (GBK sites give GBK text, served without a charset); `text-flat` comes twice per report: with consecutive
  sub-item rows glued (`23762.政府公报公开`, quirk `ordinals-glued`) and with one line per row (quirk `row-lines`);
- `text-oneline`: the page's visible text as web archives export it, each paragraph on one line and each table run
  together on one line (`portal.oneline.oneline_bytes`);
- `pdf`, `pdf-unruled`: `portal.pdfgen.pdf_bytes(blocks, ruled=True|False)`; `pdf-real`: the layouts real PDFs
  print (`portal.pdfgen.pdf_real_bytes`: wrapped labels, split tables, two-row headers, footers …);
- `scan`: rendered page images of the generated PDFs with noise, as a scanned PDF (`portal.scangen.scan_bytes`);
- `docx`, `xlsx`: `portal.officegen.docx_bytes(blocks)` / `xlsx_bytes(blocks)`.

The binary generators are imported lazily; while one is missing (`available_input_types()` says why) its input
types are left out. The truth of a document is the report's truth (`values` with None for a cell printed blank,
`report_year`, `format`, `section_formats`); for an input type that prints the tables only (TABLES_ONLY), `values`
keeps the table values. Everything is deterministic: the same corpus, byte for byte, on every run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from functools import cache

from portal.blocks import Block, blocks
from portal.render import Layout
from portal.sites import _SPECS, generate
from portal.textgen import report_text

INPUT_TYPES: tuple[str, ...] = (
    "html", "text-pipe", "text-lines", "text-flat", "text-oneline", "pdf", "pdf-unruled", "pdf-real", "scan",
    "docx", "xlsx",
)  # fmt: skip
TEXT_TYPES: tuple[str, ...] = ("html", "text-pipe", "text-lines", "text-flat")
# Input types that print the tables and no prose: their truth keeps the table values only. Empty today: the XLSX
# writer (portal.officegen.xlsx_bytes) also prints the paragraphs, in column A, so an XLSX shows the same
# figures as the page. A figure printed both in prose and in a table has one truth entry sourced to the table
# (`render.merge_values`), so the filter keeps it.
TABLES_ONLY: frozenset[str] = frozenset()

_MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class LabelledDoc:
    name: str  # "<input type>[/<quirk>]:<report path>"
    format: str  # truth format: 2021, 2019, 2014, local, narrative
    input_type: str
    quirk: str  # the variant: site layout quirks, encoding, text flattening ("+"-joined; "plain" when none)
    data: bytes
    filename: str
    content_type: str | None
    truth: dict  # {"values": [...], "report_year", "format", "section_formats", "kind", "path"}


# --- binary generators (written by other modules; imported lazily) ------------------------------------------

_GENERATORS: dict[str, tuple[str, str, dict]] = {
    "text-oneline": ("portal.oneline", "oneline_bytes", {}),
    "pdf": ("portal.pdfgen", "pdf_bytes", {"ruled": True}),
    "pdf-real": ("portal.pdfgen", "pdf_real_bytes", {}),
    "scan": ("portal.scangen", "scan_bytes", {}),
    "pdf-unruled": ("portal.pdfgen", "pdf_bytes", {"ruled": False}),
    "docx": ("portal.officegen", "docx_bytes", {}),
    "xlsx": ("portal.officegen", "xlsx_bytes", {}),
}
_FILES = {
    "text-oneline": ("report.txt", "text/plain; charset=utf-8"),
    "pdf": ("report.pdf", "application/pdf"),
    "pdf-real": ("report.pdf", "application/pdf"),
    "scan": ("report.pdf", "application/pdf"),
    "pdf-unruled": ("report.pdf", "application/pdf"),
    "docx": ("report.docx", _MIME_DOCX),
    "xlsx": ("report.xlsx", _MIME_XLSX),
}


def _generator(input_type: str) -> Callable[[list[Block]], bytes] | str:
    """The writer of a binary input type, or the reason it is not available."""
    module_name, func, kwargs = _GENERATORS[input_type]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return f"{module_name} does not exist yet"
        return f"{module_name} cannot be imported: {exc}"
    except Exception as exc:  # noqa: BLE001 - a writer being edited (SyntaxError, missing dependency) is left out
        return f"{module_name} cannot be imported: {type(exc).__name__}: {exc}"
    writer = getattr(module, func, None)
    if writer is None:
        return f"{module_name} has no {func}()"
    return lambda b: writer(b, **kwargs)


def available_input_types() -> dict[str, str | None]:
    """Every input type -> None when it can be generated, else the reason it is left out."""
    out: dict[str, str | None] = {}
    for input_type in INPUT_TYPES:
        gen = _generator(input_type) if input_type in _GENERATORS else None
        out[input_type] = gen if isinstance(gen, str) else None
    return out


# --- truth and quirks --------------------------------------------------------------------------------------


def truth_for(report: dict, input_type: str, *, tables_only: bool | None = None) -> dict:
    """The truth of a report (a `generate().reports` entry) as printed in `input_type` (`tables_only`: keep the
    table values only; default: whether `input_type` is in TABLES_ONLY)."""
    values = [dict(v) for v in report["values"]]
    if input_type in TABLES_ONLY if tables_only is None else tables_only:
        values = [v for v in values if v["source"] == "table"]
    return {
        "path": report["path"],
        "kind": report["kind"],
        "report_year": report["report_year"],
        "format": report["format"],
        "section_formats": dict(report["section_formats"]),
        "values": values,
    }


@cache
def _site_quirks() -> dict[tuple[str, int], list[str]]:
    """(site, year) -> the page quirks of that report: encoding, mirror script, layout switches."""
    default = Layout()
    out: dict[tuple[str, int], list[str]] = {}
    for spec in _SPECS:
        for year in spec.kinds:
            layout = spec.layouts.get(year, spec.layout)
            tags = []
            if spec.encoding != "utf-8":
                tags.append(spec.encoding)
            if spec.mirror:
                tags.append("mirror-tw" if year in spec.taiwan_years else "mirror")
            for f in fields(Layout):
                if f.name == "table_attrs":
                    continue
                value = getattr(layout, f.name)
                if value != getattr(default, f.name):
                    tags.append(f.name if isinstance(value, bool) else f"{f.name}={value!r}")
            if year in spec.approximate_years:
                tags.append("approximate")
            out[(spec.name, year)] = tags
    return out


def _encoding(report: dict) -> str:
    return report.get("encoding") or "utf-8"


# --- the corpus --------------------------------------------------------------------------------------------


def _docs_for(report: dict, title: str, body: str, page: tuple[bytes, str], input_types: Iterable[str],
              generators: dict[str, Callable[[list[Block]], bytes]]) -> Iterator[LabelledDoc]:  # fmt: skip
    tags = _site_quirks().get((report["site"], report["report_year"]), [])
    encoding = _encoding(report)
    text_ctype = "text/plain; charset=utf-8" if encoding == "utf-8" else "text/plain"
    path = report["path"]
    bl: list[Block] | None = None

    def doc(input_type: str, data: bytes, filename: str, ctype: str | None, extra: tuple[str, ...] = ()) -> LabelledDoc:
        quirk = "+".join([*extra, *tags]) or "plain"
        name = f"{input_type}/{extra[0]}:{path}" if extra else f"{input_type}:{path}"
        truth = truth_for(report, input_type)
        return LabelledDoc(name, report["format"], input_type, quirk, data, filename, ctype, truth)

    for input_type in input_types:
        if input_type == "html":
            yield doc("html", page[0], path.rsplit("/", 1)[-1], page[1])
            continue
        if bl is None:
            bl = blocks(body, title)
        if input_type == "text-pipe":
            yield doc(input_type, report_text(bl, "pipe").encode(encoding), "report.txt", text_ctype)
        elif input_type == "text-lines":
            yield doc(input_type, report_text(bl, "lines").encode(encoding), "report.txt", text_ctype)
        elif input_type == "text-flat":
            for rows, tag in (("ordinals", "ordinals-glued"), ("lines", "row-lines")):
                data = report_text(bl, "flat", rows=rows).encode(encoding)
                yield doc(input_type, data, "report.txt", text_ctype, (tag,))
        else:
            filename, ctype = _FILES[input_type]
            yield doc(input_type, generators[input_type](bl), filename, ctype)


def labelled_docs(input_types: Iterable[str] | None = None) -> Iterator[LabelledDoc]:
    """The labelled corpus, report by report, in `input_types` (default: every available type; a requested type
    that is unknown raises ValueError, one whose generator is missing is left out: see available_input_types)."""
    wanted = list(INPUT_TYPES if input_types is None else input_types)
    unknown = [t for t in wanted if t not in INPUT_TYPES]
    if unknown:
        raise ValueError(f"unknown input type(s): {', '.join(unknown)} (known: {', '.join(INPUT_TYPES)})")
    generators: dict[str, Callable[[list[Block]], bytes]] = {}
    types: list[str] = []
    for t in wanted:
        if t in _GENERATORS:
            gen = _generator(t)
            if isinstance(gen, str):
                continue
            generators[t] = gen
        types.append(t)
    g = generate()
    for report in g.reports:
        title, body = g.bodies[report["path"]]
        yield from _docs_for(report, title, body, g.pages[report["path"]], types, generators)
