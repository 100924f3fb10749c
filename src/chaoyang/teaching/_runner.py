"""Run a notebook's code cells in order and export named answers as JSON (inside the grading sandbox).

Started by :func:`chaoyang.teaching.sandbox.run_notebook`; not meant to be used directly::

    python -m chaoyang.teaching._runner NOTEBOOK --names '["q1_mean"]' (--answers-fd 3 | --answers-file PATH)
        [--memory-mb 4096] [--max-procs 64] [--max-file-mb 256] [--guard]

The code cells run in one IPython shell (so ``%magics`` and ``!commands`` work as in Jupyter),
each after the previous one, continuing after a cell that raises (as a student's grader would).
Then the variables named by ``--names`` are encoded with :func:`chaoyang.teaching.answers.encode_answers`
and written as one JSON object to the answers file descriptor or file. Progress markers
(``[chaoyang-runner] cell N``) and the first cell error go to stderr for the grader's log.

Exit codes: 0 every cell ran; 3 a cell raised (answers still written); 4 the notebook cannot be read.
Resource limits (memory, processes, file size) are set on this process before any student code runs,
where the platform has :mod:`resource` (not on Windows).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

MARK = "[chaoyang-runner]"


def _limit(memory_mb: int, max_procs: int, max_file_mb: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the grader's timeout still applies
        return
    limits = [("RLIMIT_AS", memory_mb * 1024 * 1024), ("RLIMIT_NPROC", max_procs),
              ("RLIMIT_FSIZE", max_file_mb * 1024 * 1024), ("RLIMIT_CORE", 0)]
    for name, value in limits:
        kind = getattr(resource, name, None)
        if kind is None or value <= 0 and name != "RLIMIT_CORE":
            continue
        try:
            # soft = hard, so the notebook cannot raise them again
            resource.setrlimit(kind, (value, value))
        except (ValueError, OSError):
            pass


def _cells(path: str) -> list[str]:
    r"""Sources of the code cells of the notebook at ``path``, in order (markdown cells skipped).

    Examples
    --------
    >>> import json, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "hw.ipynb")
    >>> cells = [{"cell_type": "markdown", "source": "# Q1"}, {"cell_type": "code", "source": ["x = 1\n", "y = 2"]}]
    >>> _ = open(path, "w").write(json.dumps({"cells": cells}))
    >>> _cells(path)
    ['x = 1\ny = 2']
    """
    with open(path, encoding="utf-8") as handle:
        notebook = json.load(handle)
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise ValueError("no 'cells' list")
    sources = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else str(source))
    return sources


def _say(message: str) -> None:
    sys.__stderr__.write(f"{MARK} {message}\n")
    sys.__stderr__.flush()


def _guard(rest: list[str], answers_fd: int | None) -> int:
    """Run the notebook in a child and, on Linux, adopt and kill whatever it leaves running.

    As a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``), this process inherits the orphans of
    ``setsid`` and double-forked processes the notebook starts, so it can kill them when the
    notebook ends; elsewhere the grader's process-tree kill is all there is (unisolated runs are
    not a sandbox).
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        except (OSError, AttributeError):
            pass
    fds = (answers_fd,) if answers_fd is not None else ()
    code = subprocess.call([sys.executable, "-m", "chaoyang.teaching._runner", *rest], stdin=subprocess.DEVNULL,
                           pass_fds=fds)
    if sys.platform.startswith("linux"):
        from chaoyang.teaching.sandbox import _descendants

        for _round in range(3):
            for pid in _descendants(os.getpid()):
                try:
                    os.kill(pid, 9)
                except OSError:
                    pass
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaoyang.teaching._runner")
    parser.add_argument("notebook")
    parser.add_argument("--names", default="[]")
    parser.add_argument("--answers-fd", type=int, default=None)
    parser.add_argument("--answers-file", default=None)
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--max-procs", type=int, default=0)
    parser.add_argument("--max-file-mb", type=int, default=0)
    parser.add_argument("--guard", action="store_true",
                        help="run the notebook in a child process, so a notebook that kills its parent kills only this guard")
    args = parser.parse_args(argv)
    if args.guard:
        rest = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--guard"]
        return _guard(rest, args.answers_fd)
    _limit(args.memory_mb, args.max_procs, args.max_file_mb)
    names = json.loads(args.names)
    try:
        sources = _cells(args.notebook)
    except (OSError, ValueError, UnicodeDecodeError, RecursionError) as error:
        _say(f"unreadable notebook: {type(error).__name__}: {str(error)[:200]}")
        return 4

    from IPython.core.interactiveshell import InteractiveShell

    from chaoyang.teaching.answers import encode_answers

    shell = InteractiveShell.instance()
    try:  # plain tracebacks in the instructor's log
        shell.colors = "nocolor"
    except Exception:  # noqa: BLE001 - older IPython spells it "NoColor"
        try:
            shell.colors = "NoColor"
        except Exception:  # noqa: BLE001
            pass
    first_error = ""
    for number, source in enumerate(sources, start=1):
        _say(f"cell {number}")
        try:
            result = shell.run_cell(source, store_history=False)
            error = result.error_before_exec or result.error_in_exec
        except BaseException as raised:  # noqa: BLE001 - a student's cell may raise anything, even SystemExit
            error = raised
        if error is not None and not first_error:
            message = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
            first_error = f"code cell {number} raised {type(error).__name__}" + (f": {message}" if message else "")
            _say(f"error {first_error}")
    _say("answers")
    try:
        text = json.dumps(encode_answers(shell.user_ns, names), ensure_ascii=False, allow_nan=False)
    except BaseException as raised:  # noqa: BLE001
        _say(f"answers could not be encoded: {type(raised).__name__}")
        text = "{}"
    data = text.encode("utf-8")
    if args.answers_fd is not None:
        view = memoryview(data)
        while view:
            view = view[os.write(args.answers_fd, view):]
        os.close(args.answers_fd)
    else:
        with open(args.answers_file, "wb") as handle:
            handle.write(data)
    _say("done")
    sys.stdout.flush()
    # os._exit: skip atexit handlers and threads the notebook may have left behind
    os._exit(3 if first_error else 0)


if __name__ == "__main__":
    sys.exit(main())
