"""The raw archive on object storage (crawler/store.py), on real files through fsspec's `file://` and on its
in-process `memory://` store: `push` mirrors a crawled archive byte for byte and a second push uploads nothing;
`StoreArchive` reads it as `Archive` does, reports a corrupt object and leaves it where it is; the parse step reads
a store when its archive is a URL and gives the frames it gives from the local directory; `ogi archive push`."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fsspec
import pytest
from test_cli import REPO, ogi

from crawler.archive import Archive, CorruptObject
from crawler.run import run_crawl
from crawler.store import PushStats, StoreArchive, is_url, open_reader, push
from dagster_project.parsing import Chunk, ParseJob, chunks, parse_chunk, site_hints, warm_chunk
from etl.frames import raw_page_frame
from portal import Portal

SITE = "zqhjj"  # a small demo site (6 reports, an .xls and a .pdf attachment): parsed without LibreOffice


@pytest.fixture(scope="module")
def crawled(portal: Portal, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """One demo site crawled into a local archive (read-only use: tests that change it work on a copy); the sites."""
    archive_dir = tmp_path_factory.mktemp("store") / "archive"
    sites = portal.sites_config()
    stats = run_crawl(sites, archive_dir, site=SITE, timeout=120)
    assert stats.finish_reason == "finished" and stats.reports >= 6 and stats.attachments >= 2
    return archive_dir, sites


@pytest.fixture
def copy(crawled, tmp_path: Path) -> Path:
    """A copy of the crawled archive, to change."""
    return Path(shutil.copytree(crawled[0], tmp_path / "archive"))


@pytest.fixture
def memory_url() -> Iterator[str]:
    """A fresh `memory://` store (fsspec's in-process filesystem, shared by the whole process), removed after."""
    url = f"memory://ogi-{uuid.uuid4().hex}/archive"
    yield url
    fs, path = fsspec.core.url_to_fs(url)
    if fs.exists(path):
        fs.rm(path, recursive=True)


@pytest.fixture(params=["file", "memory"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path, memory_url: str) -> str:
    """A store on the local filesystem (written by renames) or in memory (written as an object store is)."""
    return (tmp_path / "store").as_uri() if request.param == "file" else memory_url


def _raw_files(root: Path) -> dict[str, bytes]:
    """Relative path -> bytes of the raw files of an archive directory: objects, manifest and run logs (not what
    else the crawl keeps there: `tmp/`, derived data)."""
    paths = [*root.glob("objects/*/*"), root / "manifest.jsonl", *root.glob("runs/*.jsonl")]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(paths)}


def _store_files(url: str) -> dict[str, bytes]:
    fs, root = fsspec.core.url_to_fs(url)
    root = root.rstrip("/")
    return {name[len(root) + 1 :]: bytes(fs.cat_file(name)) for name in sorted(fs.find(root))}


def _objects(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (root / "objects").glob("*/*")}


def _mirrors(local: Path, url: str) -> None:
    """The store holds exactly the archive's objects, manifest and run logs, byte for byte, and nothing else."""
    assert _store_files(url) == _raw_files(local)


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("s3://bucket/ogi/archive", True),
        ("file:///srv/archive", True),
        ("memory://x/archive", True),
        ("gcs://b/a", True),
        ("data/archive", False),
        ("/srv/data/archive", False),
        ("./s3:/x", False),
        ("archive", False),
    ],
)
def test_is_url(location: str, expected: bool) -> None:
    assert is_url(location) is expected


def test_open_reader_is_the_archive_of_a_path_and_the_store_of_a_url(tmp_path: Path, memory_url: str) -> None:
    local = open_reader(str(tmp_path))
    assert isinstance(local, Archive) and local.root == tmp_path
    store = open_reader(memory_url)
    assert isinstance(store, StoreArchive) and store.url == memory_url
    assert store.manifest() == [] and store.run_summaries() == []  # an empty store reads as an empty archive


def test_push_mirrors_the_archive_and_the_store_reads_as_the_archive(crawled, store_url: str) -> None:
    archive_dir, _ = crawled
    local = Archive(archive_dir)
    objects = _objects(archive_dir)
    logs = sorted((archive_dir / "runs").glob("*.jsonl"))
    stats = push(archive_dir, store_url)
    files = [archive_dir / "manifest.jsonl", *logs]
    assert stats == PushStats(
        objects_uploaded=len(objects),
        objects_skipped=0,
        objects_corrupt=0,
        files_copied=1 + len(logs),
        files_unchanged=0,
        bytes=sum(map(len, objects.values())) + sum(f.stat().st_size for f in files),
    )
    _mirrors(archive_dir, store_url)

    store = StoreArchive(store_url)
    for sha, body in objects.items():
        assert store.has(sha) and store.get(sha) == body and store.intact(sha)
    rows = local.manifest()
    assert rows and store.manifest() == rows and list(store.iter_manifest()) == rows
    assert {r["sha256"] for r in rows if r["sha256"]} <= set(objects)
    assert store.run_ids() == local.run_ids() and len(store.run_ids()) == 1
    assert store.run_summaries() == local.run_summaries()
    assert store.run_summaries()[0]["finish_reason"] == "finished"
    for run_id in local.run_ids():
        assert list(store.iter_run(run_id)) == list(local.iter_run(run_id))
    absent = hashlib.sha256(b"never archived").hexdigest()
    assert not store.has(absent) and not store.intact(absent)
    with pytest.raises(FileNotFoundError):
        store.get(absent)
    with pytest.raises(ValueError, match="not a sha256"):
        store.get("../manifest.jsonl")


def test_a_second_push_uploads_nothing_and_a_third_only_what_is_new(copy: Path, store_url: str) -> None:
    first = push(copy, store_url)
    assert first.objects_uploaded > 0
    again = push(copy, store_url)
    files = first.files_copied
    assert again == PushStats(objects_skipped=first.objects_uploaded, files_unchanged=files)

    # the archive grows (a new body and its row), and a writer was killed in the middle of the manifest's next line
    local = Archive(copy)
    sha, written = local.put_new(b"<html>a new report</html>")
    assert written
    local.record({"url": "http://example.invalid/new.html", "sha256": sha, "kind": "report", "status": 200})
    local.close()
    complete = (copy / "manifest.jsonl").read_bytes()
    with (copy / "manifest.jsonl").open("ab") as f:
        f.write(b'{"url": "http://example.invalid/cut')
    third = push(copy, store_url)
    assert third == PushStats(
        objects_uploaded=1,
        objects_skipped=first.objects_uploaded,
        files_copied=1,  # the manifest, up to its last complete line
        files_unchanged=files - 1,  # the run log
        bytes=len(b"<html>a new report</html>") + len(complete),
    )
    store = StoreArchive(store_url)
    assert store.get(sha) == b"<html>a new report</html>"
    assert _store_files(store_url)["manifest.jsonl"] == complete
    assert store.manifest() == Archive(copy).manifest()  # the local reader skips the cut line too


def test_a_push_killed_midway_goes_on_where_it_stopped(copy: Path, store_url: str) -> None:
    """Objects are written first: a store with part of them and no manifest yet (a push killed midway), or with a
    cut object (a killed upload to a filesystem that writes in place), gets the rest and the cut one again."""
    objects = _objects(copy)
    fs, root = fsspec.core.url_to_fs(store_url)
    root = root.rstrip("/")
    done = sorted(objects)[: len(objects) // 2]
    for sha in done:
        fs.makedirs(f"{root}/objects/{sha[:2]}", exist_ok=True)
        fs.pipe_file(f"{root}/objects/{sha[:2]}/{sha}", objects[sha])
    cut = done[0]
    fs.pipe_file(f"{root}/objects/{cut[:2]}/{cut}", objects[cut][: len(objects[cut]) // 2])
    stats = push(copy, store_url)
    assert stats.objects_skipped == len(done) - 1
    assert stats.objects_uploaded == len(objects) - len(done) + 1
    _mirrors(copy, store_url)


def test_a_corrupt_object_in_the_store_raises_and_stays_as_it_is(crawled, tmp_path: Path) -> None:
    archive_dir, _ = crawled
    url = (tmp_path / "store").as_uri()
    push(archive_dir, url)
    store = StoreArchive(url)
    sha = next(r["sha256"] for r in Archive(archive_dir).manifest() if r["kind"] == "report" and r["sha256"])
    path = tmp_path / "store" / "objects" / sha[:2] / sha
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF  # one bit flipped: same size
    path.write_bytes(bytes(damaged))
    with pytest.raises(CorruptObject, match="left as it is") as raised:
        store.get(sha)
    assert isinstance(raised.value, OSError)  # the parse step reports an OSError as an unreadable body
    assert not store.intact(sha) and store.has(sha)
    assert path.read_bytes() == bytes(damaged)  # read-only: not moved aside, not mended
    assert not (tmp_path / "store" / "corrupt").exists()
    # as the error says: a push does not see it (same name and size), but once it is deleted the push restores it
    assert push(archive_dir, url).objects_uploaded == 0
    path.unlink()
    assert push(archive_dir, url).objects_uploaded == 1
    assert store.get(sha) == (archive_dir / "objects" / sha[:2] / sha).read_bytes()


def test_a_corrupt_local_object_is_not_pushed(copy: Path, memory_url: str) -> None:
    sha, body = next(iter(sorted(_objects(copy).items())))
    local = copy / "objects" / sha[:2] / sha
    local.write_bytes(body[::-1] if len(body) > 1 and body[::-1] != body else body + b"!")
    damaged = local.read_bytes()
    stats = push(copy, memory_url)
    assert stats.objects_corrupt == 1 and stats.objects_uploaded == len(_objects(copy)) - 1
    assert not StoreArchive(memory_url).has(sha)
    assert local.read_bytes() == damaged  # the local archive is only read (its next crawl mends the object)


def _chunk(archive_dir: Path, sites: list[dict[str, Any]]) -> Chunk:
    """Every report of the archive with its attachments, as the parse step's queries give them."""
    rows = raw_page_frame(Archive(archive_dir).iter_manifest()).to_dicts()
    good = [r for r in rows if r["sha256"] and 200 <= (r["status"] or 0) < 300]
    pages = sorted((r for r in good if r["kind"] == "report"), key=lambda r: (r["url"], r["sha256"]))
    attachments: dict[str, list[dict[str, Any]]] = {}
    for r in good:
        if r["kind"] == "attachment" and r["parent_url"]:
            attachment = {k: r[k] for k in ("url", "sha256", "content_type", "title")}
            attachments.setdefault(r["parent_url"], []).append({**attachment, "error": None})
    assert len(pages) >= 6 and sum(map(len, attachments.values())) >= 2
    [chunk] = chunks(pages, attachments, site_hints(sites), 100)
    return chunk


def test_the_parse_step_reads_a_store_as_it_reads_the_archive(crawled, tmp_path: Path, memory_url: str) -> None:
    archive_dir, sites = crawled
    chunk = _chunk(archive_dir, sites)
    url = (tmp_path / "store").as_uri()
    push(archive_dir, url)
    push(archive_dir, memory_url)
    local = parse_chunk(ParseJob(archive=str(archive_dir), cache=None), chunk)
    assert local.parsed == len(chunk.pages) and local.messages == []
    assert local.frames.dim_report.height == len(chunk.pages) and local.frames.fact_raw_cell.height > 0
    for where in (url, memory_url):
        remote = parse_chunk(ParseJob(archive=where, cache=None), chunk)
        assert (remote.reports, remote.parsed, remote.cached, remote.messages) == (
            local.reports,
            local.parsed,
            local.cached,
            local.messages,
        )
        for mine, theirs in zip(local.frames, remote.frames, strict=True):
            assert theirs.schema == mine.schema and theirs.equals(mine, null_equal=True)

    # parsing during the crawl (warm_chunk: missing_attachments, then the cache) reads through the same seam
    warmed_local = warm_chunk(ParseJob(archive=str(archive_dir), cache=str(tmp_path / "cache-local")), chunk)
    warmed_store = warm_chunk(ParseJob(archive=url, cache=str(tmp_path / "cache-store")), chunk)
    assert warmed_store == warmed_local and warmed_store.parsed == len(chunk.pages)
    assert sorted(p.name for p in (tmp_path / "cache-store").rglob("*.pickle.z")) == sorted(
        p.name for p in (tmp_path / "cache-local").rglob("*.pickle.z")
    )

    # and a store that lacks the bodies says so, as a local archive that lacks them does
    empty = parse_chunk(ParseJob(archive=(tmp_path / "empty").as_uri(), cache=None), chunk)
    assert empty.parsed == len(chunk.pages) and len(empty.messages) == len(chunk.pages)
    assert all("cannot read the archived body" in text for _, text in empty.messages)


def test_ogi_archive_push(copy: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    copy.rename(data / "archive")
    objects = _objects(data / "archive")
    logs = sorted((data / "archive" / "runs").glob("*.jsonl"))
    files = sum(p.stat().st_size for p in [data / "archive" / "manifest.jsonl", *logs])
    url = (tmp_path / "store").as_uri()

    proc = ogi("archive", "push", "--data", str(data), url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (
        f"pushed {data / 'archive'} to {url}: {len(objects)} object(s) uploaded, 0 already there, 0 corrupt (not "
        f"pushed); {1 + len(logs)} file(s) copied (manifest, run logs), 0 unchanged; "
        f"{sum(map(len, objects.values())) + files} bytes"
    )
    _mirrors(data / "archive", url)
    again = ogi("archive", "push", url, env={"OGI_DATA_DIR": str(data)})  # the data directory from the environment
    assert again.returncode == 0, again.stderr
    assert f": 0 object(s) uploaded, {len(objects)} already there, " in again.stdout
    assert f"; 0 file(s) copied (manifest, run logs), {1 + len(logs)} unchanged; 0 bytes" in again.stdout

    for args, message in [
        (["--data", str(data), str(tmp_path / "store")], "is not a URL"),
        (["--data", str(tmp_path / "nowhere"), url], "no archive at"),
        (["--data", str(data), "nosuch://bucket/archive"], "cannot open nosuch://bucket/archive"),
    ]:
        proc = ogi("archive", "push", *args)
        assert proc.returncode == 2 and message in proc.stderr, (args, proc.stderr)


def test_the_store_imports_no_scrapy_and_its_command_no_dagster(tmp_path: Path) -> None:
    """crawler.store is read by the ETL side (as crawler.archive); `ogi archive push` starts without Dagster."""
    (tmp_path / "archive").mkdir()
    code = (
        "import sys; from dagster_project.cli import main; "
        "assert main(['archive', 'push', '--data', sys.argv[1], sys.argv[2]]) == 0; "
        "assert 'scrapy' not in sys.modules, 'scrapy imported'; assert 'dagster' not in sys.modules, 'dagster imported'"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path), (tmp_path / "store").as_uri()],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert ": 0 object(s) uploaded, 0 already there, 0 corrupt (not pushed); 0 file(s) copied" in proc.stdout
