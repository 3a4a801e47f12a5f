"""The portal's own origin (``settings.PORTAL_ORIGIN``): what links sent by e-mail point at.

A password reset link built from the request's Host header points wherever the request said: a forged
Host (or one a proxy passes through) would send a member a genuine one-time token on a link to another
site. Django's reset form takes the host from the request unless told otherwise; here it is always told.
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm


def portal_origin() -> tuple[str, str]:
    """``(scheme, host[:port])`` of ``settings.PORTAL_ORIGIN``."""
    parts = urlsplit(settings.PORTAL_ORIGIN)
    return parts.scheme, parts.netloc


class OriginPasswordResetForm(PasswordResetForm):
    """Django's password reset form, its links on the configured origin whatever the request's host and scheme."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        scheme, host = portal_origin()
        kwargs.update(domain_override=host, use_https=scheme == "https")
        return super().save(*args, **kwargs)
