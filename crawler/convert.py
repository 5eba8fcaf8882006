"""Document conversion by LibreOffice: the I/O boundary the pure parser (`etl/`) calls through a `Converter`.

`etl.office` reads DOCX/XLSX/XLS itself; DOC, WPS and ODT have no maintained pure-Python reader that keeps tables,
so callers (the CLI, the Dagster assets, the demo generators) pass `soffice_convert` to `etl.parse.parse_document`.
LibreOffice comes from the Debian package `libreoffice-writer-nogui` (`.ci/run` installs it when `soffice` is missing).

Crawled documents are hostile input, and LibreOffice fetches what a document links (an external image, an OLE
object, a linked section) while it loads it: converting a crawled file must not make the pipeline host send requests
(a blind SSRF), so every conversion runs in a sandbox:

- no network. A small launcher (`_SANDBOX`, run by this Python as `python -I -S -c`, so no `preexec_fn` in a
  threaded parent) puts itself in a new network namespace before it execs LibreOffice (`unshare(CLONE_NEWNET)`
  as root, `unshare(CLONE_NEWUSER | CLONE_NEWNET)` with the caller's own ids mapped otherwise: only a down loopback
  inside), and installs a seccomp filter that refuses `socket()` for every family but AF_UNIX (and io_uring, which
  could open sockets around it). Either one alone keeps LibreOffice off the network; where the namespace is not
  allowed (a container without CAP_SYS_ADMIN, user namespaces disabled) the filter still is, and where neither
  can be set up the conversion is refused, never run unprotected;
- a private profile whose settings block what a document links (`BlockUntrustedRefererLinks`, link and field
  updates never, macros off): the same protection again from inside LibreOffice, and no local file read through
  a link either;
- limits: wall clock `timeout` (the whole process group is killed), address space `memory` (RLIMIT_AS),
  CPU time, size of any file written (RLIMIT_FSIZE), no core dumps.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from etl.normalize import clean

CONVERT_TIMEOUT = 120.0  # seconds for one LibreOffice conversion (a 9 MB DOC of 220 reports takes ~15 s)
# Address space of LibreOffice (RLIMIT_AS, virtual memory). Measured peaks (VmPeak of soffice.bin, LibreOffice 7.4, in
# this sandbox: prepared profile, MALLOC_ARENA_MAX=2): 317 MiB for a generated report DOC, 405 MiB for a 3 MB DOC of 80
# reports, 543 MiB for a 9 MB DOC of 220 reports (15 s), 410 MiB for a 26 MB DOCX of photos; a report fails below
# ~280 MiB. 2 GiB leaves ~4x the largest real document and stops a runaway one long before the host suffers.
CONVERT_MEMORY = 2 * 1024**3
CONVERT_MAX_FILE = 512 * 1024**2  # RLIMIT_FSIZE: largest file LibreOffice may write (output, temporary files)
LIBREOFFICE_PACKAGE = "libreoffice-writer-nogui"  # Debian package that provides `soffice` for Word binaries
ISOLATIONS = ("auto", "namespace", "seccomp")  # see soffice_convert(isolation=...)
_NO_ISOLATION = 71  # the launcher's exit status when it cannot cut LibreOffice off the network


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
    except (ProcessLookupError, PermissionError):
        pass


# --- the sandbox ------------------------------------------------------------------------------------------------

# Run as `python -I -S -c _SANDBOX MEMORY CPU FSIZE ISOLATION -- argv...`: sets the limits, cuts the network off, then
# execs argv (stdlib only; a fresh single-threaded process, so it is safe whatever the parent's threads do).
_SANDBOX = r"""
import ctypes, os, resource, struct, sys

CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
EPERM, EACCES, ENOSYS = 1, 13, 38
ALLOW, ERRNO = 0x7FFF0000, 0x00050000
# machine -> (AUDIT_ARCH_*, __NR_socket, __NR_io_uring_setup)
ARCHES = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}


def new_network_namespace(libc):
    unshare = getattr(libc, "unshare", None)  # Linux only
    if unshare is None:
        return False
    if unshare(CLONE_NEWNET) == 0:  # root (CAP_SYS_ADMIN)
        return True
    uid, gid = os.geteuid(), os.getegid()
    if unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:  # anyone, where user namespaces are allowed
        return False
    try:  # keep our own ids inside (no fake root); unmapped ids would still only be our own outside
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as f:
                f.write(text)
    except OSError:
        pass
    return True


def no_sockets_filter(libc):
    # seccomp-bpf: socket() of any family but AF_UNIX fails with EACCES, io_uring_setup with ENOSYS, syscalls of
    # another ABI (x32, i386) with EPERM
    if os.uname().machine not in ARCHES:
        return False
    audit, nr_socket, nr_uring = ARCHES[os.uname().machine]
    def op(code, k, jt=0, jf=0):
        return struct.pack("<HBBI", code, jt, jf, k)
    LD, JEQ, JGE, RET = 0x20, 0x15, 0x35, 0x06
    prog = b"".join([
        op(LD, 4), op(JEQ, audit, 1, 0), op(RET, ERRNO | EPERM),   # seccomp_data.arch
        op(LD, 0), op(JGE, 0x40000000, 0, 1), op(RET, ERRNO | EPERM),   # seccomp_data.nr; x32 numbers
        op(JEQ, nr_uring, 0, 1), op(RET, ERRNO | ENOSYS),
        op(JEQ, nr_socket, 0, 3), op(LD, 16), op(JEQ, 1, 1, 0), op(RET, ERRNO | EACCES),   # args[0] == AF_UNIX
        op(RET, ALLOW),
    ])
    buf = ctypes.create_string_buffer(prog, len(prog))
    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
    fprog = Prog(len(prog) // 8, ctypes.addressof(buf))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)):
        return False
    return libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(fprog),
                      ctypes.c_ulong(0), ctypes.c_ulong(0)) == 0


def main():
    memory, cpu, fsize, isolation = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    argv = sys.argv[sys.argv.index("--") + 1:]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    libc = ctypes.CDLL(None, use_errno=True)
    done = []
    if isolation in ("auto", "namespace") and new_network_namespace(libc):
        done.append("namespace")
    if isolation in ("auto", "seccomp") and no_sockets_filter(libc):
        done.append("seccomp")
    if not done:
        sys.stderr.write(f"ogi-sandbox: no network isolation could be set up (asked for: {isolation})\n")
        sys.exit(71)
    os.environ["OGI_SANDBOX"] = "+".join(done)
    os.execvp(argv[0], argv)


main()
"""


def sandboxed(argv: list[str], *, memory: int = CONVERT_MEMORY, cpu_seconds: int = int(2 * CONVERT_TIMEOUT),
              max_file: int = CONVERT_MAX_FILE, isolation: str = "auto") -> list[str]:
    """The command that runs `argv` without network access and under the given limits (see the module docstring);
    the program sees which isolation is in force in `$OGI_SANDBOX` (`namespace+seccomp`, `namespace`, `seccomp`)."""
    if isolation not in ISOLATIONS:
        raise ValueError(f"isolation must be one of {ISOLATIONS}, not {isolation!r}")
    return [sys.executable, "-I", "-S", "-c", _SANDBOX, str(int(memory)), str(int(cpu_seconds)), str(int(max_file)),
            isolation, "--", *argv]


# --- the profile ------------------------------------------------------------------------------------------------

def _item(path: str, name: str, value: str) -> str:
    return f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>'


_SECURITY = [
    # linked images, OLE objects, sections, fonts...: never loaded from a location that is not trusted (none is)
    _item("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    _item("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    _item("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    _item("/org.openoffice.Office.Writer/Content/Update", "Link", "0"),  # Writer: 0 = never update links
    _item("/org.openoffice.Office.Writer/Content/Update", "Field", "false"),
    _item("/org.openoffice.Office.Writer/Content/Update", "Chart", "false"),
    _item("/org.openoffice.Office.Calc/Content/Update", "Link", "1"),  # Calc: 1 = never update links
]


@functools.cache
def _libreoffice_version(soffice: str) -> str | None:
    """`7.4` for LibreOffice 7.4, read from its configuration (None when it cannot be found)."""
    program = Path(soffice).resolve().parent
    try:
        text = (program.parent / "share" / "registry" / "main.xcd").read_text("utf-8", "replace")
    except OSError:
        return None
    match = re.search(r'oor:name="ooSetupVersion">\s*<value>(\d+\.\d+)</value>', text)
    return match.group(1) if match else None


def _profile(soffice: str) -> str:
    """registrymodifications.xcu of a new profile: the security settings, and (when the version is known) the
    first-start work skipped (graphics self-tests and a restart: ~0.7 s and ~150 MiB per conversion)."""
    items = list(_SECURITY)
    version = _libreoffice_version(soffice)
    if version:
        items.append(_item("/org.openoffice.Office.Common/Misc", "FirstRun", "false"))
        items.append(_item("/org.openoffice.Setup/Product", "ooSetupLastVersion", version))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        + "\n".join(items) + "\n</oor:items>\n"
    )


# --- conversion -------------------------------------------------------------------------------------------------

_STACK_FRAME = re.compile(r"\s*\S+\(\S*\)\s*\[0x[0-9a-f]+\]\s*$")  # "/usr/lib/libreoffice/program/libx.so(+0x3)[0x7f]"
_NEAR_LIMIT = 64 * 1024**2  # a failure with this close to the memory limit seen is put down to the limit
# what LibreOffice (or the loader) prints when an allocation fails; a crash alone (signal 6) may have other causes
_MEMORY_SIGNS = (
    "bad_alloc", "failed to map segment", "cannot allocate memory", "out of memory", "thread::create failed",
)


def _address_space(pid: int) -> int:
    """The largest peak address space (VmPeak) among `pid` and its descendants, in bytes (0 when gone)."""
    peak, todo, seen = 0, [pid], set()
    while todo and len(seen) < 64:
        p = todo.pop()
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmPeak:"):
                    peak = max(peak, int(line.split()[1]) * 1024)
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split() if int(c) not in seen)
        except (OSError, ValueError):
            continue
    return peak


def _message(err: bytes, out: bytes) -> str:
    """What LibreOffice said, for people: its first lines, without the Java launcher warning and stack frames."""
    lines = [
        line.strip() for line in (err or out or b"").decode("utf-8", "replace").splitlines()
        if line.strip() and "javaldx" not in line and not _STACK_FRAME.match(line)
    ]
    return clean(" ".join(lines))[:300]


def soffice_convert(data: bytes, source_ext: str, target_ext: str, *, timeout: float = CONVERT_TIMEOUT,
                    memory: int = CONVERT_MEMORY, isolation: str = "auto") -> bytes:
    """Convert a document with LibreOffice (`soffice --headless --convert-to`), e.g. doc -> docx.

    The only place in the pipeline that starts LibreOffice: a fresh temporary directory holds the input, the output
    and a throw-away profile (so parallel conversions never share one); no shell; no network; the whole process
    group is killed when `timeout` passes; `memory` bytes of address space at most (see the module docstring).
    `isolation`: "auto" (a network namespace and a seccomp filter, whichever the host allows; refused when neither
    is), or only "namespace" / only "seccomp" (tests). Raises ConversionError when LibreOffice is missing or the
    conversion fails; the message starts with "conversion".
    """
    kind = source_ext.upper()
    soffice = find_soffice()
    if soffice is None:
        raise ConversionError(
            f"conversion impossible: {kind} documents are converted with LibreOffice, which is not installed: "
            f"install the Debian package {LIBREOFFICE_PACKAGE} (apt-get install --no-install-recommends "
            f"{LIBREOFFICE_PACKAGE}), which provides soffice"
        )
    with tempfile.TemporaryDirectory(prefix="ogi-soffice-") as tmp:
        work = Path(tmp)
        source = work / f"input.{source_ext}"
        source.write_bytes(data)
        outdir = work / "out"
        outdir.mkdir()
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_profile(soffice), "utf-8")
        cmd = sandboxed([
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless", "--invisible", "--nologo", "--nodefault", "--norestore", "--nolockcheck",
            "--convert-to", target_ext, "--outdir", str(outdir), str(source),
        ], memory=memory, cpu_seconds=max(10, int(2 * timeout) + 10), isolation=isolation)  # fmt: skip
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ")}  # no proxies, no display
        # MALLOC_ARENA_MAX: glibc reserves 64 MiB of address space per arena, up to 8 per core; capped, the address
        # space LibreOffice needs does not grow with the host's cores (RLIMIT_AS counts reservations)
        env.update(HOME=str(work), TMPDIR=str(work), SAL_USE_VCLPLUGIN="svp", MALLOC_ARENA_MAX="2")
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=work,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        peak = 0  # largest address space seen in LibreOffice's processes (bytes)
        try:
            while True:
                try:
                    out, err = proc.communicate(timeout=max(0.0, min(0.1, deadline - time.monotonic())))
                    break
                except subprocess.TimeoutExpired:  # retrying communicate() loses no output
                    peak = max(peak, _address_space(proc.pid))
                    if time.monotonic() >= deadline:
                        raise
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            proc.communicate()
            raise ConversionError(
                f"conversion failed: LibreOffice did not convert the {kind} document within {timeout:g} s "
                "(time limit; stopped)"
            ) from None
        finally:
            _kill_group(proc.pid)  # anything LibreOffice left running in its own process group
        if proc.returncode == _NO_ISOLATION and b"ogi-sandbox:" in err:
            raise ConversionError(
                f"conversion refused: LibreOffice may fetch what a {kind} document links, and this host allows "
                "neither a network namespace nor a seccomp filter to keep it off the network "
                f"({_message(err, out)})"
            )
        result = outdir / f"input.{target_ext}"
        if proc.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            message = _message(err, out)
            status = f"exit status {proc.returncode}" if proc.returncode >= 0 else f"signal {-proc.returncode}"
            if peak >= memory - _NEAR_LIMIT or any(sign in message.lower() for sign in _MEMORY_SIGNS):
                if peak:
                    status += f"; address space peaked at {peak // 2**20} MiB"
                raise ConversionError(
                    f"conversion failed: LibreOffice ran out of its memory limit of {memory // 2**20} MiB "
                    f"converting the {kind} document ({status})" + (f": {message}" if message else "")
                )
            raise ConversionError(
                f"conversion failed: LibreOffice could not convert the {kind} document ({status})"
                + (f": {message}" if message else "")
            )
        if result.stat().st_size >= CONVERT_MAX_FILE:
            raise ConversionError(f"conversion failed: the converted {kind} document is over the file size limit")
        return result.read_bytes()
