"""LibreOffice conversions (`crawler.convert.soffice_convert`) run without network and within limits.

A crawled DOC/ODT/DOCX is hostile input, and LibreOffice loads what a document links while it converts it (an external
image, an OLE object): a blind SSRF from the pipeline host. A canary HTTP server on 127.0.0.1 counts every request;
the documents below link it in the ways LibreOffice follows (and a few it does not: linked section, INCLUDEPICTURE /
INCLUDETEXT fields, an attached template). Plain LibreOffice does fetch them (the control test); every conversion
must make zero requests and still convert the text. Each protection is also checked alone: the network namespace,
the seccomp filter (the fallback where namespaces are not allowed, e.g. a container without CAP_SYS_ADMIN) and the
profile settings; and as a user other than root when the tests run as root (user namespaces).
"""

from __future__ import annotations

import collections
import functools
import http.server
import io
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import zipfile
from pathlib import Path

import pytest

import crawler.convert as convert
from crawler.convert import CONVERT_MEMORY, ConversionError, _profile, sandboxed, soffice_convert
from etl.parse import parse_document

NOBODY = 65534


# --- the canary ---------------------------------------------------------------------------------------------------


class _Canary(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.hits: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _CanaryHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def count(self) -> dict[str, int]:
        with self.lock:
            return dict(self.hits)

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()


class _CanaryHandler(http.server.BaseHTTPRequestHandler):
    def _hit(self) -> None:
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.hits[f"{self.command} {self.path}"] += 1  # type: ignore[attr-defined]
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_POST = do_PUT = do_OPTIONS = do_PROPFIND = _hit

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def canary():
    server = _Canary()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# --- hostile documents --------------------------------------------------------------------------------------------

TEXT = "CANARY-TEXT 2023年政府信息公开工作年度报告"
AFTER = "AFTER-TEXT"


def hostile_odt(url: str) -> bytes:
    """An ODT (raw package XML) with an external image, a linked OLE object and a linked section, all on `url`."""
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">
<office:body><office:text>
<text:p>{TEXT}</text:p>
<text:p><draw:frame draw:name="image" svg:width="2cm" svg:height="2cm" text:anchor-type="as-char"><draw:image
 xlink:href="{url}/odt-image.png" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>
<text:section text:name="linked"><text:section-source xlink:href="{url}/odt-section.html" xlink:type="simple"/>
<text:p>section text</text:p></text:section>
<text:p><draw:frame draw:name="object" svg:width="2cm" svg:height="2cm" text:anchor-type="as-char"><draw:object
 xlink:href="{url}/odt-object.ods" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>
<table:table table:name="T1"><table:table-column table:number-columns-repeated="2"/><table:table-row>
<table:table-cell office:value-type="string"><text:p>统计指标</text:p></table:table-cell>
<table:table-cell office:value-type="float" office:value="12"><text:p>12</text:p></table:table-cell>
</table:table-row></table:table>
<text:p>{AFTER}</text:p>
</office:text></office:body></office:document-content>"""
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")  # first, stored
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()


_W = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"')
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def hostile_docx(url: str) -> bytes:
    """A DOCX with a linked (not embedded) picture, INCLUDEPICTURE / INCLUDETEXT fields and an attached template on
    `url`."""
    picture = (
        '<w:r><w:drawing><wp:inline><wp:extent cx="914400" cy="914400"/><wp:docPr id="1" name="p"/><a:graphic>'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr>'
        '<pic:cNvPr id="1" name="p"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:link="rIdImage"/>'
        '<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
        '<a:ext cx="914400" cy="914400"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData>'
        "</a:graphic></wp:inline></w:drawing></w:r>"
    )
    document = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {_W}><w:body>
<w:p><w:r><w:t>{TEXT}</w:t></w:r></w:p>
<w:p>{picture}</w:p>
<w:p><w:fldSimple w:instr=' INCLUDEPICTURE "{url}/docx-includepicture.png" \\d '><w:r><w:t>pic</w:t></w:r></w:fldSimple></w:p>
<w:p><w:fldSimple w:instr=' INCLUDETEXT "{url}/docx-includetext.html" '><w:r><w:t>inc</w:t></w:r></w:fldSimple></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>统计指标</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>12</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:r><w:t>{AFTER}</w:t></w:r></w:p>
<w:sectPr/></w:body></w:document>"""
    rels = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rIdImage" Type="{_RELS}/image" Target="{url}/docx-image.png" TargetMode="External"/>
<Relationship Id="rIdSettings" Type="{_RELS}/settings" Target="settings.xml"/></Relationships>"""
    settings = f'<?xml version="1.0" encoding="UTF-8"?><w:settings {_W}><w:attachedTemplate r:id="rIdTemplate"/></w:settings>'
    settings_rels = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rIdTemplate" Type="{_RELS}/attachedTemplate" Target="{url}/docx-template.dotx" TargetMode="External"/>
</Relationships>"""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.document.main+xml"/><Override PartName="/word/settings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/></Types>'
    )
    root = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in {"[Content_Types].xml": types, "_rels/.rels": root, "word/document.xml": document,
                           "word/_rels/document.xml.rels": rels, "word/settings.xml": settings,
                           "word/_rels/settings.xml.rels": settings_rels}.items():
            z.writestr(name, data)
    return out.getvalue()


def hostile_doc(url: str, canary: _Canary) -> bytes:
    """The DOCX saved as Word 97 by LibreOffice: the linked picture becomes an INCLUDEPICTURE field on `url`."""
    doc = soffice_convert(hostile_docx(url), "docx", "doc")
    assert url.encode() in doc or url.encode("utf-16-le") in doc, "the DOC lost its link: the test would test nothing"
    canary.reset()
    return doc


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode("utf-8")


def _converted_text_ok(data: bytes) -> None:
    text = docx_text(data)
    assert "CANARY-TEXT" in text and AFTER in text and "统计指标" in text, text[:2000]


def _plain_soffice(soffice: str, data: bytes, ext: str, work: Path, *, profile: str | None = None,
                   wrap=lambda argv: argv, user: list[str] | None = None) -> Path:
    """LibreOffice run by hand (no soffice_convert): a fresh profile (ours when `profile` is given), `wrap` around
    the command (e.g. the sandbox), optionally as another user. The converted DOCX's path."""
    source = work / f"input.{ext}"
    source.write_bytes(data)
    source.chmod(0o644)  # readable by another `user` whatever the umask
    if profile is not None:
        (work / "profile" / "user").mkdir(parents=True)
        (work / "profile" / "user" / "registrymodifications.xcu").write_text(profile, "utf-8")
    argv = wrap([soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                 "--convert-to", "docx", "--outdir", str(work / "out"), str(source)])
    env = {"PATH": os.environ["PATH"], "HOME": str(work), "TMPDIR": str(work), "SAL_USE_VCLPLUGIN": "svp"}
    subprocess.run((user or []) + argv, env=env, cwd=work, capture_output=True, timeout=120)
    return work / "out" / "input.docx"


def _namespaces_allowed() -> bool:
    return subprocess.run(sandboxed(["true"], isolation="namespace"), capture_output=True).returncode == 0


# --- the tests ----------------------------------------------------------------------------------------------------


def test_plain_libreoffice_fetches_what_the_documents_link(soffice, canary, tmp_path):
    """The control: without the protections, LibreOffice requests the canary while converting these documents. If
    this fails, a LibreOffice upgrade stopped following these links: find what it follows now and link that."""
    for ext, data in (("odt", hostile_odt(canary.url)), ("docx", hostile_docx(canary.url))):
        canary.reset()
        work = tmp_path / ext
        work.mkdir()
        out = _plain_soffice(soffice, data, ext, work)
        assert out.is_file()
        assert canary.count(), f"plain LibreOffice fetched nothing from the {ext.upper()}"


@pytest.mark.parametrize("ext", ["odt", "docx", "doc"])
def test_conversion_makes_no_request_and_keeps_the_text(soffice, canary, ext):
    data = hostile_doc(canary.url, canary) if ext == "doc" else globals()[f"hostile_{ext}"](canary.url)
    canary.reset()
    _converted_text_ok(soffice_convert(data, ext, "docx"))
    assert canary.count() == {}


@pytest.mark.parametrize("ext", ["odt", "doc"])
def test_the_parser_converts_without_a_request(soffice, canary, ext):
    """What the pipeline does: parse_document with the converter (the canary document is not a report)."""
    data = hostile_doc(canary.url, canary) if ext == "doc" else hostile_odt(canary.url)
    canary.reset()
    result = parse_document(data, input=f"x.{ext}", filename=f"x.{ext}", convert=soffice_convert)
    assert result.decoding == f"{ext}:converted-docx" and canary.count() == {}, (result.error, canary.count())


@pytest.mark.parametrize("layer", ["namespace", "seccomp", "profile"])
def test_each_protection_alone_keeps_libreoffice_off_the_network(soffice, canary, tmp_path, layer):
    if layer == "namespace" and not _namespaces_allowed():
        pytest.skip("network namespaces are not allowed here (the seccomp filter is the protection)")
    for ext, data in (("odt", hostile_odt(canary.url)), ("docx", hostile_docx(canary.url))):
        canary.reset()
        work = tmp_path / f"{layer}-{ext}"
        work.mkdir()
        if layer == "profile":
            out = _plain_soffice(soffice, data, ext, work, profile=_profile(soffice))
        else:
            out = _plain_soffice(soffice, data, ext, work, wrap=functools.partial(sandboxed, isolation=layer))
        _converted_text_ok(out.read_bytes())
        assert canary.count() == {}, (layer, ext)


PROBE = textwrap.dedent("""
    import errno, json, os, resource, socket, sys
    out = {"isolation": os.environ.get("OGI_SANDBOX"),
           "limits": [resource.getrlimit(r)[0] for r in (resource.RLIMIT_AS, resource.RLIMIT_CPU,
                                                        resource.RLIMIT_FSIZE, resource.RLIMIT_CORE)]}
    for family in ("AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET"):
        try:
            s = socket.socket(getattr(socket, family), socket.SOCK_STREAM if family.startswith("AF_INET") else socket.SOCK_RAW)
        except OSError as exc:
            out[family] = "socket: " + errno.errorcode.get(exc.errno, str(exc.errno))
            continue
        if family == "AF_INET":
            s.settimeout(3)
            try:
                s.connect(("127.0.0.1", int(sys.argv[1])))
                s.sendall(b"GET /from-the-sandbox HTTP/1.0\\r\\n\\r\\n")
                out[family] = "connected"
            except OSError as exc:
                out[family] = "connect: " + errno.errorcode.get(exc.errno, str(exc.errno))
        else:
            out[family] = "socket created"
        s.close()
    a, b = socket.socketpair()  # AF_UNIX: LibreOffice's own pipes
    a.sendall(b"x")
    out["unix"] = b.recv(1).decode()
    print(json.dumps(out))
""")


@pytest.mark.parametrize("isolation", ["auto", "namespace", "seccomp"])
def test_the_sandbox_has_no_network_and_has_the_limits(canary, isolation):
    import json

    if isolation == "namespace" and not _namespaces_allowed():
        pytest.skip("network namespaces are not allowed here (the seccomp filter is the protection)")
    canary.reset()
    cmd = sandboxed([sys.executable, "-c", PROBE, str(canary.server_port)], memory=3 * 2**30, cpu_seconds=60,
                    max_file=2**20, isolation=isolation)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["AF_INET"] != "connected" and canary.count() == {}, out
    assert out["unix"] == "x", out
    assert out["limits"] == [3 * 2**30, 60, 2**20, 0], out
    if isolation == "seccomp":
        assert out["isolation"] == "seccomp"
        assert all(out[f] == "socket: EACCES" for f in ("AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET")), out
    elif isolation == "namespace":
        assert out["isolation"] == "namespace"
        assert out["AF_INET"] in ("connect: ENETUNREACH", "connect: ECONNREFUSED"), out  # only a down loopback
    else:
        assert out["isolation"] in ("namespace+seccomp", "seccomp"), out  # seccomp alone where namespaces are denied


def _python_for(uid: int) -> str | None:
    """A Python interpreter user `uid` can run (the venv's may live in root's home)."""
    for python in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if python and subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", python, "-c",
                                      "import ctypes, resource"], capture_output=True).returncode == 0:
            return python
    return None


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv to run LibreOffice as another user")
def test_a_user_other_than_root_converts_without_network(soffice, canary):
    """Not root: the launcher makes a user namespace to get a network namespace (unshare --user --net), with the
    user's own ids inside; where that is denied too, the seccomp filter."""
    python = _python_for(NOBODY)
    if python is None:
        pytest.skip("no Python interpreter the nobody user can run")
    as_nobody = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]

    def wrap(argv: list[str]) -> list[str]:
        return [python, *sandboxed(argv)[1:]]

    probe = subprocess.run(as_nobody + wrap(["sh", "-c", 'echo "$OGI_SANDBOX $(id -u)"']), capture_output=True,
                           text=True)
    isolation, uid = probe.stdout.split()
    assert uid == str(NOBODY) and isolation in ("namespace+seccomp", "seccomp"), probe
    for sandbox in (False, True):
        canary.reset()
        with tempfile.TemporaryDirectory(prefix="ogi-nobody-") as tmp:  # pytest's tmp_path is root's alone
            work = Path(tmp)
            work.chmod(0o777)
            out = _plain_soffice(soffice, hostile_odt(canary.url), "odt", work,
                                 wrap=wrap if sandbox else lambda argv: argv, user=as_nobody)
            _converted_text_ok(out.read_bytes())
        if sandbox:
            assert canary.count() == {}, isolation
        else:
            assert canary.count(), "the nobody user reaches the canary without the sandbox: the control"


def test_without_network_isolation_there_is_no_conversion(soffice, monkeypatch):
    """Where neither a namespace nor the seccomp filter can be set up, the launcher exits 71: refused, never run."""
    refusal = "import sys; sys.stderr.write('ogi-sandbox: no network isolation could be set up (asked for: auto)\\n'); sys.exit(71)"
    monkeypatch.setattr(convert, "sandboxed", lambda argv, **kw: [sys.executable, "-c", refusal])
    with pytest.raises(ConversionError, match=r"^conversion refused: .* neither a network namespace nor a seccomp"):
        soffice_convert(hostile_odt("http://127.0.0.1:9"), "odt", "docx")


@pytest.fixture(scope="module")
def report_doc(soffice) -> bytes:
    from portal import officegen
    from portal_util import report_blocks

    return officegen.doc_bytes(list(report_blocks("qujiang", 2023)))


def _processes_under(path: Path) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if str(path) in cmdline:
                found.append(f"{entry.name}: {cmdline[:200]}")
    return found


def test_the_time_limit_stops_the_whole_process_group(report_doc, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # the conversion's directory (and its processes) under tmp_path
    began = time.monotonic()
    with pytest.raises(ConversionError, match=r"^conversion failed: LibreOffice did not convert the DOC document "
                                              r"within 0.2 s \(time limit; stopped\)"):
        soffice_convert(report_doc, "doc", "docx", timeout=0.2)
    assert time.monotonic() - began < 5
    time.sleep(0.2)
    assert _processes_under(tmp_path) == []


def test_the_memory_limit_is_a_clear_error(report_doc):
    assert soffice_convert(report_doc, "doc", "docx")  # the default limit leaves a real report room
    with pytest.raises(ConversionError, match=r"^conversion failed: LibreOffice ran out of its memory limit of 128 MiB "
                                              r"converting the DOC document"):
        soffice_convert(report_doc, "doc", "docx", memory=128 * 2**20)
    result = parse_document(report_doc, input="x.doc", filename="x.doc",
                            convert=functools.partial(soffice_convert, memory=128 * 2**20))
    assert not result.ok and result.error.startswith("conversion failed: LibreOffice ran out of its memory limit"), \
        result.error


def test_running_out_of_memory_mid_conversion_is_named(tmp_path, monkeypatch):
    """LibreOffice often answers an allocation failure with exit status 0 and "source file could not be loaded":
    the largest address space seen while it ran tells it apart. A stand-in that fills its memory and says just that."""
    fake = tmp_path / "soffice"
    fake.write_text(f"#!{sys.executable}\n" + textwrap.dedent("""
        import sys, time
        hoard = []
        try:
            while True:
                hoard.append(bytearray(8 * 2**20))
        except MemoryError:
            time.sleep(0.5)  # LibreOffice takes a while to give up
        print("Error: source file could not be loaded")
    """))
    fake.chmod(0o755)
    monkeypatch.setattr(convert, "find_soffice", lambda: str(fake))
    with pytest.raises(ConversionError, match=r"ran out of its memory limit of 300 MiB .*exit status 0; address space peaked at \d+ MiB\)"
                                              r": Error: source file could not be loaded"):
        soffice_convert(b"x", "doc", "docx", memory=300 * 2**20)
    assert CONVERT_MEMORY == 2 * 2**30
