"""Document conversion by LibreOffice: the I/O boundary the pure parser (`etl/`) calls through a `Converter`.

`etl.office` reads DOCX/XLSX/XLS itself; DOC, WPS and ODT have no maintained pure-Python reader that keeps tables,
so callers (the CLI, the Dagster assets, the demo generators) pass `soffice_convert` to `etl.parse.parse_document`.
LibreOffice comes from the Debian package `libreoffice-writer-nogui` (`.ci/run` installs it when `soffice` is missing).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from etl.normalize import clean

CONVERT_TIMEOUT = 120.0  # seconds for one LibreOffice conversion
LIBREOFFICE_PACKAGE = "libreoffice-writer-nogui"  # Debian package that provides `soffice` for Word binaries


class ConversionError(ValueError):
    """A document LibreOffice could not convert (or LibreOffice is missing); the message says why, for people."""


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice", "lowriter"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def soffice_convert(data: bytes, source_ext: str, target_ext: str, *, timeout: float = CONVERT_TIMEOUT) -> bytes:
    """Convert a document with LibreOffice (`soffice --headless --convert-to`), e.g. doc -> docx.

    The only place in `etl/` that starts a process: a fresh temporary directory holds the input, the output and
    a throw-away LibreOffice profile (so parallel conversions never share one); no shell; the whole process group
    is killed when `timeout` passes. Raises ConversionError when LibreOffice is missing or the conversion fails.
    """
    soffice = find_soffice()
    if soffice is None:
        raise ConversionError(
            f"{source_ext.upper()} documents are converted with LibreOffice, which is not installed: "
            f"install the Debian package {LIBREOFFICE_PACKAGE} (apt-get install --no-install-recommends "
            f"{LIBREOFFICE_PACKAGE}), which provides soffice"
        )
    with tempfile.TemporaryDirectory(prefix="ogi-soffice-") as tmp:
        work = Path(tmp)
        source = work / f"input.{source_ext}"
        source.write_bytes(data)
        outdir = work / "out"
        outdir.mkdir()
        cmd = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless", "--invisible", "--nologo", "--nodefault", "--norestore", "--nolockcheck",
            "--convert-to", target_ext, "--outdir", str(outdir), str(source),
        ]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ")}
        env.update(HOME=str(work), TMPDIR=str(work), SAL_USE_VCLPLUGIN="svp")
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=work,
            start_new_session=True,
        )  # fmt: skip
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            proc.communicate()
            raise ConversionError(
                f"LibreOffice did not convert the {source_ext.upper()} document within {timeout:g} s"
            ) from None
        finally:
            _kill_group(proc.pid)  # anything LibreOffice left running in its own process group
        result = outdir / f"input.{target_ext}"
        if proc.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            message = clean((err or out or b"").decode("utf-8", "replace"))[:300]
            raise ConversionError(
                f"LibreOffice could not convert the {source_ext.upper()} document"
                + (f": {message}" if message else f" (exit status {proc.returncode})")
            )
        return result.read_bytes()
