"""gunicorn's logger with the reset tokens masked (``logger_class`` in gunicorn.conf.py; backend/logmask.py).

An access log line holds the request line, the path and the referrer, and an error line the path of the
request that failed: each could carry a ``/reset/<uid>/<token>/`` link. The filter is added to both of
gunicorn's loggers each time it sets them up (at start and when the logs are reopened).
"""

from gunicorn.glogging import Logger  # type: ignore[import-untyped]  # gunicorn ships no type hints

from backend.logmask import MaskTokensFilter


class TokenMaskingLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(existing, MaskTokensFilter) for existing in log.filters):
                log.addFilter(MaskTokensFilter())
