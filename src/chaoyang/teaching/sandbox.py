"""Run one student's notebook where it can see only its own copy and its data: the grading sandbox.

On Linux with Debian's ``bubblewrap`` (``apt-get install bubblewrap``), :func:`run_notebook`
executes a **copy** of the notebook inside ``bwrap --unshare-all --unshare-pid --die-with-parent
--new-session``:

- the file system is empty except read-only binds of the operating system (``/usr``, ``/etc/ssl``,
  ...), the Python interpreter and its environment (``sys.base_prefix``, ``sys.prefix``) and the
  ``chaoyang`` package; the notebook copy and the assignment's data files (read-only, under
  ``data/`` next to the notebook); and private, size-limited tmpfs folders for ``/tmp`` and the home
  folder. Nothing else of the machine exists in there: not the repository, its tests or
  ``exercises/`` masters, not the other submissions, not the instructor's home, not the course
  secret (the environment is rebuilt from scratch);
- there is no network (a new network namespace holds only loopback) and no view of other
  processes (a new PID namespace: when the grader ends the sandbox, every process the notebook
  started, ``setsid`` or double-forked ones included, dies with it);
- limits: wall-clock ``timeout`` (then the whole sandbox is killed), address space ``memory_mb``
  per process, ``max_procs`` processes, ``disk_mb`` per tmpfs and per file.

The notebook's code cells run in order in one IPython shell inside the sandbox
(:mod:`chaoyang.teaching._runner`: IPython's own input transformers, so ``%magics`` work), not
through a Jupyter kernel: nbclient also works in the sandbox's network namespace (its kernel talks over
the private loopback) but adds a kernel start-up and a second process per notebook;
afterwards the variables the checks need (``answer_names``) are encoded as JSON
(:mod:`chaoyang.teaching.answers`) and sent back through a pipe, size-capped. The grader never
executes anything the notebook produced.

Without bubblewrap (macOS, Windows, a container that forbids user namespaces), ``isolation="auto"``
runs the notebook in a plain child process with the same timeout, in a private temporary folder,
and the returned :class:`~chaoyang.teaching.records.SandboxRun` says ``isolated=False``: the
student's code then runs with your user's rights. The temporary folder is always deleted.

Examples
--------
>>> import json, tempfile
>>> from pathlib import Path
>>> from chaoyang.teaching.sandbox import run_notebook
>>> folder = Path(tempfile.mkdtemp())
>>> cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
...         "source": "answer = sum(range(4))"}
>>> _ = (folder / "hw.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {},
...                                                   "nbformat": 4, "nbformat_minor": 5}))
>>> run = run_notebook(folder / "hw.ipynb", files={}, answer_names=["answer"], timeout=120, isolation="auto")
>>> run.answers, run.error
({'answer': 6}, '')
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path, PurePosixPath

from chaoyang.errors import ChaoyangError
from chaoyang.teaching.answers import AnswerFormatError, MAX_BYTES, decode
from chaoyang.teaching.records import SandboxRun

ISOLATIONS = ("auto", "bwrap", "none")
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024   # a larger .ipynb is refused before it runs
LOG_BYTES = 4096                        # head and tail of the output kept for the instructor
SANDBOX_HOME = "/home/student"
WORK = SANDBOX_HOME + "/work"
KIT = "/opt/chaoyang-kit"
# Read-only parts of the operating system the interpreter and the scientific stack need. /etc is
# bound file by file: it holds the machine's configuration, which the notebook has no use for.
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC = ("/etc/ssl", "/etc/ca-certificates", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
        "/etc/localtime", "/etc/fonts", "/etc/alternatives", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group",
        "/etc/mime.types", "/etc/matplotlibrc")


class SandboxError(ChaoyangError, RuntimeError):
    """The sandbox cannot be used as asked (``isolation="bwrap"`` without a working bubblewrap,
    bad ``files`` names); the message says what to do."""


_AVAILABLE: dict = {}


def isolation_available() -> str | None:
    """``None`` if bubblewrap sandboxes work on this machine, else the reason they do not.

    The check really starts a sandbox (``bwrap --unshare-all ... true``): ``bwrap`` may be
    installed yet unusable, for example in a container that forbids user namespaces. The answer
    is cached for the process.

    Returns
    -------
    str or None

    Examples
    --------
    >>> reason = isolation_available()
    >>> reason is None or isinstance(reason, str)
    True
    """
    if "reason" not in _AVAILABLE:
        _AVAILABLE["reason"] = _probe()
    return _AVAILABLE["reason"]


def _probe() -> str | None:
    if not sys.platform.startswith("linux"):
        return f"bubblewrap sandboxes need Linux (this is {sys.platform})"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    command = [bwrap, "--unshare-all", "--unshare-pid", "--die-with-parent", "--new-session",
               *_system_binds(), "--proc", "/proc", "--dev", "/dev", "--", "true"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap does not start: {error}"
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return ("bubblewrap is installed but cannot create a sandbox here ("
                + (message[-1] if message else f"exit {done.returncode}")
                + "); containers often forbid user namespaces")
    return None


def _system_binds() -> list[str]:
    args = []
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):  # merged /usr: /bin -> usr/bin
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def _python_dirs() -> list[str]:
    """Folders the interpreter and its environment live in (bound read-only at the same paths)."""
    dirs = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    dirs.add(os.path.realpath(os.path.dirname(sys.executable)))
    # the unresolved paths too (a venv's python is a symlink into the base interpreter)
    dirs |= {os.path.abspath(p) for p in (sys.prefix, sys.base_prefix)}
    # keep the outermost folders only
    chosen: list[str] = []
    for path in sorted(dirs, key=len):
        if not any(path == c or path.startswith(c.rstrip("/") + "/") for c in chosen):
            chosen.append(path)
    return [p for p in chosen if not p.startswith(("/usr/", "/lib/")) and p not in ("/usr", "/")]


def _package_dir() -> str:
    """The ``chaoyang`` package the grader runs (bound read-only at :data:`KIT`/chaoyang in the sandbox,
    so the repository around it stays invisible)."""
    import chaoyang

    return os.path.dirname(os.path.abspath(chaoyang.__file__))


def bound_host_paths() -> list[str]:
    """The host folders and files a bubblewrap sandbox binds read-only (system, ``/etc`` files, Python, the kit).

    Anything private the grader reads (a blind set, a secret file) must lie outside all of them;
    :func:`chaoyang.teaching.grading.grade` refuses a blind set that does not.

    Examples
    --------
    >>> "/usr" in bound_host_paths()
    True
    """
    return [p for p in _SYSTEM_DIRS if os.path.isdir(p) and not os.path.islink(p)] + \
        [p for p in _ETC if os.path.exists(p)] + _python_dirs() + [_package_dir()]


def _pythonpath() -> str:
    return os.path.dirname(_package_dir())


def _check_files(files: dict) -> dict[str, Path]:
    checked = {}
    for name, path in (files or {}).items():
        pure = PurePosixPath(str(name).replace("\\", "/"))
        if pure.is_absolute() or not pure.parts or any(part in ("..", ".", "") for part in pure.parts):
            raise SandboxError(f"files: {name!r} must be a relative name below data/ (no '..', not absolute)")
        if not Path(path).is_file():
            raise SandboxError(f"files: {name!r} -> {path} is not a file")
        checked[str(pure)] = Path(path)
    return checked


def _environment(home: str, tmp: str, pythonpath: str) -> dict[str, str]:
    # Built from scratch: nothing of the grader's environment (the course secret above all) reaches the notebook.
    env = {"HOME": home, "TMPDIR": tmp, "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/bin", "/bin"]),
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONPATH": pythonpath, "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONIOENCODING": "utf-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": tmp + "/matplotlib",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1", "JUPYTER_PLATFORM_DIRS": "1"}
    if sys.platform == "win32":
        for name in ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "COMSPEC", "PATHEXT"):
            if name in os.environ:
                env[name] = os.environ[name]
        env["USERPROFILE"] = home
        env["TEMP"] = env["TMP"] = tmp
    return env


class _Collector(threading.Thread):
    """Reads a pipe to its end, keeping the first and last ``keep`` bytes (never all of it)."""

    def __init__(self, stream, keep: int, *, whole: int = 0):
        super().__init__(daemon=True)
        self.stream, self.keep, self.whole = stream, keep, whole
        self.head, self.tail, self.data = b"", b"", bytearray()
        self.total = 0
        self.last_cell = ""

    def run(self) -> None:
        try:
            while True:
                chunk = self.stream.read1(65536) if hasattr(self.stream, "read1") else self.stream.read(65536)
                if not chunk:
                    break
                self.total += len(chunk)
                if self.whole:
                    if len(self.data) <= self.whole:
                        self.data += chunk[: self.whole + 1 - len(self.data)]
                    continue
                if len(self.head) < self.keep:
                    self.head += chunk[: self.keep - len(self.head)]
                self.tail = (self.tail + chunk)[-self.keep:]
                marker = self.tail.rfind(b"[chaoyang-runner] cell ")
                if marker >= 0:
                    line = self.tail[marker:].split(b"\n", 1)[0]
                    self.last_cell = line.rsplit(b" ", 1)[-1].decode("ascii", "replace")
        except (OSError, ValueError):
            pass
        finally:
            try:
                self.stream.close()
            except OSError:
                pass

    def text(self) -> str:
        if self.total <= 2 * self.keep:
            body = (self.head + self.tail[len(self.head) - self.total:] if self.total > len(self.head) else self.head)
            return body.decode("utf-8", "replace")
        return (self.head.decode("utf-8", "replace") + f"\n[... {self.total - 2 * self.keep} bytes left out ...]\n"
                + self.tail.decode("utf-8", "replace"))


def _descendants(pid: int) -> list[int]:
    """PIDs below ``pid`` (Linux /proc; empty elsewhere). Used to count and kill a process tree."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: fields follow the last ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _kill_tree(process: subprocess.Popen) -> None:
    """Kill ``process`` and everything it started, without psutil, on every platform."""
    if sys.platform == "win32":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, check=False)
    else:
        victims = _descendants(process.pid)
        killpg = getattr(os, "killpg", None)
        if killpg is not None:
            try:
                killpg(process.pid, 9)  # the child leads its own session (start_new_session)
            except OSError:
                pass
        for pid in victims:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
    try:
        process.kill()
    except OSError:
        pass


def run_notebook(notebook: Path, *, files: dict[str, Path], answer_names: list[str], timeout: float = 600,
                 memory_mb: int = 4096, isolation: str = "auto", max_procs: int = 64,
                 disk_mb: int = 256) -> SandboxRun:
    """Execute a copy of ``notebook`` in the grading sandbox and return its exported answers.

    Parameters
    ----------
    notebook : Path
        The student's ``.ipynb`` (read only: it is copied, never opened for writing).
    files : dict of str -> Path
        Files the notebook may read, by name relative to ``data/`` next to the notebook
        (``{"variant.json": Path(...)}``); bound read-only.
    answer_names : list of str
        Variables to export after the last cell (missing ones are left out of ``answers``).
    timeout : float
        Wall-clock seconds for the whole run, start-up included (> 0); then the sandbox and every
        process in it are killed.
    memory_mb : int
        Address-space limit of each process in MB (>= 256; a Python with pandas needs ~1,000).
    isolation : {"auto", "bwrap", "none"}
        ``"bwrap"`` requires bubblewrap (:class:`SandboxError` if it does not work), ``"none"``
        runs unisolated, ``"auto"`` uses bubblewrap when :func:`isolation_available` says it works.
    max_procs : int
        Most processes the notebook may run at once (>= 4).
    disk_mb : int
        Size in MB of each private tmpfs (``/tmp``, home) and of any single file written (>= 16).

    Returns
    -------
    SandboxRun
        ``answers`` (name -> encoded JSON value, see :mod:`chaoyang.teaching.answers`), ``error``
        (``""`` when every cell ran, else a short reason: ``timeout after 300 s (in code cell 4)``,
        ``code cell 2 raised NameError: ...``, ``not a notebook: ...``), ``isolated``, ``seconds``
        and ``log`` (head and tail of the notebook's output, for the instructor only).

    Raises
    ------
    SandboxError
        If ``isolation="bwrap"`` and bubblewrap is not usable, or a ``files`` name is unsafe.

    Examples
    --------
    See the module docstring.
    """
    from chaoyang._validate import ArgumentError, check_count

    if isolation not in ISOLATIONS:
        raise ArgumentError(f"isolation={isolation!r} is not one of {', '.join(ISOLATIONS)}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ArgumentError(f"timeout={timeout!r} must be a positive number of seconds")
    check_count(memory_mb, "memory_mb", minimum=256)
    check_count(max_procs, "max_procs", minimum=4)
    check_count(disk_mb, "disk_mb", minimum=16)
    files = _check_files(files)
    names = [str(n) for n in answer_names]
    reason = isolation_available() if isolation != "none" else "isolation='none' was asked for"
    if isolation == "bwrap" and reason is not None:
        raise SandboxError(f"isolation='bwrap' but {reason}")
    isolated = reason is None and isolation != "none"
    start = time.monotonic()
    notebook = Path(notebook)

    def finish(answers, error, log=""):
        return SandboxRun(answers=answers, error=error, isolated=isolated, seconds=time.monotonic() - start, log=log)

    problem = _notebook_problem(notebook)
    if problem:
        return finish({}, problem)
    tmp = Path(tempfile.mkdtemp(prefix="chaoyang-sandbox-"))  # mode 0700: private to this user
    try:
        name = "submission.ipynb"
        copy = tmp / name
        shutil.copyfile(notebook, copy)
        if isolated:
            return _run_bwrap(copy, files, names, timeout, memory_mb, max_procs, disk_mb, finish)
        return _run_plain(tmp, copy, files, names, timeout, memory_mb, max_procs, disk_mb, finish)
    finally:
        shutil.rmtree(tmp, onerror=_force_remove)


def _force_remove(function, path, _exc_info) -> None:
    # read-only files or folders left by the notebook (plain mode) must not survive the run
    try:
        os.chmod(path, 0o700)
        os.chmod(os.path.dirname(path), 0o700)
        function(path)
    except OSError:
        pass


def _notebook_problem(notebook: Path) -> str:
    try:
        size = notebook.stat().st_size
    except OSError as error:
        return f"cannot read the submission: {error.strerror or error}"
    if size == 0:
        return "not a notebook: the file is empty"
    if size > MAX_NOTEBOOK_BYTES:
        return f"not graded: the notebook is {size / 1e6:.0f} MB (limit {MAX_NOTEBOOK_BYTES / 1e6:.0f} MB)"
    try:
        data = json.loads(notebook.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "not a notebook: the file is not JSON (was a .py, .pdf or a corrupted download submitted?)"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return "not a notebook: no list of cells in the file"
    return ""


def _runner_args(notebook: str, names: list[str], memory_mb: int, max_procs: int, disk_mb: int) -> list[str]:
    return ["-m", "chaoyang.teaching._runner", notebook, "--names", json.dumps(names),
            "--memory-mb", str(memory_mb), "--max-procs", str(max_procs), "--max-file-mb", str(disk_mb)]


def _run_bwrap(copy: Path, files, names, timeout, memory_mb, max_procs, disk_mb, finish) -> SandboxRun:
    tmpfs_bytes = str(disk_mb * 1024 * 1024)
    # the private tmpfs folders first, the read-only binds after: an environment that lives under /tmp
    # (a CI virtualenv, say) is then bound on top of the tmpfs instead of being hidden by it
    args = [shutil.which("bwrap"), "--unshare-all", "--unshare-pid", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--hostname", "sandbox", "--proc", "/proc", "--dev", "/dev",
            "--size", tmpfs_bytes, "--tmpfs", "/tmp", "--size", tmpfs_bytes, "--tmpfs", SANDBOX_HOME,
            *_system_binds()]
    for path in _ETC:
        args += ["--ro-bind-try", path, path]
    for path in _python_dirs():
        args += ["--ro-bind", path, path]
    args += ["--ro-bind", _package_dir(), KIT + "/chaoyang",
             "--dir", WORK, "--dir", WORK + "/data",
             "--ro-bind", str(copy), f"{WORK}/{copy.name}"]
    for name, path in files.items():
        args += ["--ro-bind", str(Path(path).resolve()), f"{WORK}/data/{name}"]
    # the sandbox's root folder is itself a tmpfs without a size limit: make it read-only
    args += ["--remount-ro", "/"]
    env = _environment(SANDBOX_HOME, "/tmp", KIT)
    args += ["--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    read_end, write_end = os.pipe()
    args += ["--chdir", WORK, "--", sys.executable,
             *_runner_args(f"{WORK}/{copy.name}", names, memory_mb, max_procs, disk_mb),
             "--answers-fd", str(write_end)]
    try:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   pass_fds=(write_end,), start_new_session=True, env={"PATH": "/usr/bin:/bin"})
    except OSError:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    return _supervise(process, os.fdopen(read_end, "rb"), None, timeout, max_procs, names, finish)


def _run_plain(tmp: Path, copy: Path, files, names, timeout, memory_mb, max_procs, disk_mb, finish) -> SandboxRun:
    work, home, scratch = tmp / "work", tmp / "home", tmp / "tmp"
    for folder in (work / "data", home, scratch):
        folder.mkdir(parents=True)
    shutil.move(str(copy), work / copy.name)
    for name, path in files.items():
        target = work / "data" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    answers_file = tmp / "answers.json"
    # no RLIMIT_NPROC here: outside a user namespace it counts every process of your user, so a desktop
    # session would already be over it (the /proc watchdog in _supervise still counts the notebook's own)
    command = [sys.executable, *_runner_args(copy.name, names, memory_mb, 0, disk_mb),
               "--answers-file", str(answers_file), "--guard"]
    options = {"start_new_session": True} if os.name == "posix" else {
        "creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
    process = subprocess.Popen(command, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env=_environment(str(home), str(scratch), _pythonpath()),
                               **options)
    return _supervise(process, None, answers_file, timeout, max_procs, names, finish)


def _supervise(process, answers_pipe, answers_file, timeout, max_procs, names, finish) -> SandboxRun:
    output = _Collector(process.stdout, LOG_BYTES)
    output.start()
    answers_reader = None
    if answers_pipe is not None:
        answers_reader = _Collector(answers_pipe, 0, whole=MAX_BYTES + 65536)
        answers_reader.start()
    deadline = time.monotonic() + timeout
    error = ""
    try:
        while process.poll() is None:
            if time.monotonic() > deadline:
                where = f" (in code cell {output.last_cell})" if output.last_cell else ""
                error = f"timeout after {timeout:g} s{where}: the notebook did not finish"
                break
            # bubblewrap as root does not enforce RLIMIT_NPROC: count the sandbox's processes ourselves
            if sys.platform.startswith("linux") and len(_descendants(process.pid)) > max_procs + 2:
                error = f"stopped: the notebook started more than {max_procs} processes"
                break
            time.sleep(0.1)
    finally:
        _kill_tree(process)
        process.wait()
    output.join(timeout=10)
    if answers_reader is not None:
        answers_reader.join(timeout=10)
    log = output.text()
    if error:
        return finish({}, error, log)
    if answers_reader is not None:
        raw = bytes(answers_reader.data)
        too_big = answers_reader.total > MAX_BYTES + 65536
    else:
        try:
            too_big = answers_file.stat().st_size > MAX_BYTES + 65536
            raw = b"" if too_big else answers_file.read_bytes()
        except OSError:
            raw, too_big = b"", False
    code = process.returncode
    cell_error = _cell_error(log)
    if too_big:
        return finish({}, f"answers not read: more than {MAX_BYTES // 1_000_000} MB of answers", log)
    if not raw:
        return finish({}, _exit_reason(code, log, output.last_cell), log)
    answers, problem = _read_answers(raw, names)
    if problem:
        return finish({}, problem, log)
    return finish(answers, cell_error, log)


def _cell_error(log: str) -> str:
    marker = "[chaoyang-runner] error "
    position = log.find(marker)
    return log[position + len(marker):].split("\n", 1)[0].strip() if position >= 0 else ""


def _exit_reason(code: int, log: str, last_cell: str) -> str:
    if "[chaoyang-runner] unreadable notebook" in log:
        return "not a notebook: " + log.split("unreadable notebook:", 1)[1].split("\n", 1)[0].strip()
    where = f" in code cell {last_cell}" if last_cell else ""
    if code is not None and (code < 0 or code in (137, 128 + 9)):
        return f"the notebook was killed{where} (out of memory or a signal); no answers were saved"
    return f"the notebook stopped{where} before its answers were saved (exit code {code})"


def _read_answers(raw: bytes, names: list[str]) -> tuple[dict, str]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}, "answers file is malformed (not JSON); no answers were read"
    if not isinstance(data, dict):
        return {}, "answers file is malformed (not a JSON object); no answers were read"
    answers = {}
    for name, value in data.items():
        if name not in names:
            continue
        try:
            decode(value)
        except (AnswerFormatError, RecursionError):
            value = {"__unsupported__": "malformed"}
        answers[str(name)] = value
    return answers, ""
