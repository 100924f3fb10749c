"""A local HTTP server for the built site: Python's http.server in a thread, on 127.0.0.1, port 0."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without printing one log line per request on stderr."""

    # Notebooks and sources are downloaded as files; the rest keeps http.server's guesses.
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".ipynb": "application/x-ipynb+json", ".md": "text/markdown; charset=utf-8",
                      ".js": "text/javascript", ".mjs": "text/javascript", ".svg": "image/svg+xml",
                      ".woff": "font/woff", ".woff2": "font/woff2"}

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (signature of the base class)
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A browser that moves on (a meta refresh, a closed page) drops its connections mid-file;
        # that is normal and not worth a traceback. Anything else is still reported.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 until the ``with`` block ends.

    Parameters
    ----------
    folder : pathlib.Path
        Folder to serve, e.g. ``_build/html``; it must exist.

    Yields
    ------
    str
        Base URL ending in a slash, e.g. ``"http://127.0.0.1:41234/"`` (the port is chosen by the OS).

    Raises
    ------
    FileNotFoundError
        If ``folder`` is not a folder.

    Examples
    --------
    >>> with serve(Path("_build/html")) as base:  # doctest: +SKIP
    ...     print(base + "index.html")
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot serve {folder}: it is not a folder (build the book first: make book)")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
