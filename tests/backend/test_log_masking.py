"""Password reset tokens never reach the logs: gunicorn's access and error logs, ``django.request`` and the
development server's request lines show ``/reset/<uid>/********/`` (backend/logmask.py)."""

import datetime
import io
import logging
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from backend.gunicorn_logging import TokenMaskingLogger
from backend.logmask import MaskTokensFilter, mask_tokens

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "cp5x2a-0123456789abcdef0123456789abcdef"  # Django's form: base-36 timestamp, hash
UID = "MTI"


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        (f"GET /reset/{UID}/{TOKEN}/ HTTP/1.1", f"GET /reset/{UID}/********/ HTTP/1.1"),
        (f'"https://portal.example.org/reset/{UID}/{TOKEN}/"', f'"https://portal.example.org/reset/{UID}/********/"'),
        (f"/reset/{UID}/{TOKEN}?next=/", f"/reset/{UID}/********?next=/"),
        (f"/reset/{UID}/{TOKEN}", f"/reset/{UID}/********"),
        # Django's stand-in once the token is in the session, and the pages around the link: not secrets.
        (f"/reset/{UID}/set-password/", f"/reset/{UID}/set-password/"),
        ("/reset/done/", "/reset/done/"),
        ("GET /api/v1/dip-samples/?page=2 HTTP/1.1", "GET /api/v1/dip-samples/?page=2 HTTP/1.1"),
    ],
)
def test_it_masks_the_token_of_a_reset_path_and_nothing_else(line, logged):
    assert mask_tokens(line) == logged


def test_the_filter_masks_the_formatted_message_and_keeps_every_record():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "%s: %s", ("Too Many Requests", f"/reset/{UID}/{TOKEN}/"), None
    )
    assert MaskTokensFilter().filter(record) is True
    assert record.getMessage() == f"Too Many Requests: /reset/{UID}/********/"
    plain = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/admin/x/",), None)
    assert MaskTokensFilter().filter(plain) is True and plain.getMessage() == "Not Found: /admin/x/"


@contextmanager
def captured(handler: logging.Handler):
    """What ``handler`` (a StreamHandler of the configured LOGGING) writes, while the block runs."""
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def _handler(logger_name: str) -> logging.StreamHandler:
    logger = logging.getLogger(logger_name)
    handlers = [h for h in logger.handlers if isinstance(h, logging.StreamHandler) and h.get_name()]
    assert handlers, f"{logger_name or 'root'} has a configured stream handler"
    return handlers[0]


def test_djangos_request_warnings_and_the_development_servers_lines_are_masked():
    path = f"/reset/{UID}/{TOKEN}/"
    with captured(_handler("")) as root_output:
        logging.getLogger("django.request").warning("%s: %s", "Too Many Requests", path)
    with captured(_handler("django.server")) as server_output:
        logging.getLogger("django.server").info('"%s" %s %s', f"GET {path} HTTP/1.1", "302", "0")
    for output in (root_output.getvalue(), server_output.getvalue()):
        assert f"/reset/{UID}/********/" in output and TOKEN not in output


def _gunicorn_logger(tmp_path) -> TokenMaskingLogger:
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    return TokenMaskingLogger(cfg)


def test_gunicorns_access_and_error_lines_are_masked(tmp_path):
    log = _gunicorn_logger(tmp_path)
    path = f"/reset/{UID}/{TOKEN}/"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.7",
        "HTTP_REFERER": f"https://portal.example.org{path}",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("Location", f"/reset/{UID}/set-password/")])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    log.access(response, request, environ, datetime.timedelta(milliseconds=12))
    log.error("Error handling request %s", path)
    log.setup(log.cfg)  # reopening the logs (SIGUSR1, a reload) keeps one filter each
    assert [len(log.access_log.filters), len(log.error_log.filters)] == [1, 1]
    for handler in (*log.access_log.handlers, *log.error_log.handlers):
        handler.flush()
    access, error = (tmp_path / "access.log").read_text(), (tmp_path / "error.log").read_text()
    assert f'"GET /reset/{UID}/********/ HTTP/1.1" 302' in access
    assert f'"https://portal.example.org/reset/{UID}/********/"' in access
    assert f"Error handling request /reset/{UID}/********/" in error
    assert TOKEN not in access + error


def test_gunicorn_conf_logs_through_the_masking_logger():
    """gunicorn.conf.py names the class, loaded as gunicorn loads it (a subprocess: the file disables the
    garbage collector at import)."""
    script = (
        "import runpy; from gunicorn.config import Config; cfg = Config(); "
        "cfg.set('logger_class', runpy.run_path('gunicorn.conf.py')['logger_class']); "
        "print(cfg.logger_class.__module__ + '.' + cfg.logger_class.__qualname__)"
    )
    loaded = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert loaded.stdout.strip() == "backend.gunicorn_logging.TokenMaskingLogger", loaded.stderr
