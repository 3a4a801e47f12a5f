"""Secrets in URLs kept out of the logs: the token of a password reset link (``/reset/<uid>/<token>/``).

The link's token is a one-time credential for the account until it is used or expires (Django's
``PASSWORD_RESET_TIMEOUT``); a line of an access log, a "Too Many Requests: <path>" warning of
``django.request`` or a line of the development server would otherwise hand it to whoever reads the
logs. The user's id part (``uid``) is kept: it says whose link it was, which the audit needs.

``MaskTokensFilter`` is a ``logging.Filter`` for Django's loggers (``LOGGING`` in backend/settings/base.py)
and gunicorn's (``backend.gunicorn_logging.TokenMaskingLogger``); the API carries its tokens in the
``Authorization`` header, never in a URL, and no header is logged.
"""

import logging
import re

#: Django's stand-in for the token once it is in the session (PasswordResetConfirmView): not a secret.
_SESSION_STAND_IN = "set-password"
MASK = "********"
_PART = r"[^/\s?#\"']+"  # one path segment, up to a space, query, fragment or quote
_RESET_TOKEN = re.compile(rf"(/reset/{_PART}/)(?!{re.escape(_SESSION_STAND_IN)}(?:[/\s?#\"']|$)){_PART}")


def mask_tokens(text: str) -> str:
    """``text`` with the token of every password reset path in it replaced by ``MASK``."""
    if "/reset/" not in text:
        return text
    return _RESET_TOKEN.sub(r"\g<1>" + MASK, text)


class MaskTokensFilter(logging.Filter):
    """Masks reset tokens in a record's message (its arguments merged in first); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's to report, not ours
            return True
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
