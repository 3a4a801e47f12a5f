"""Typed readers for settings taken from the environment.

Every secret may also be given as ``<NAME>_FILE`` pointing at a file that holds it
(docker secrets, Kubernetes secret volumes).
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_MISSING = object()


def env_str(name: str, default=_MISSING) -> str:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name} cannot be read: {exc}") from exc
    value = os.environ.get(name)
    if value is None or value == "":
        if default is _MISSING:
            raise ImproperlyConfigured(f"The environment variable {name} (or {name}_FILE) is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name, "")
    if value == "":
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = env_str(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default=_MISSING) -> list[str]:
    value = env_str(name, "" if default is not _MISSING else _MISSING)
    if value == "":
        if default is _MISSING:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_origin(name: str, value: str, *, require_https: bool = False) -> str:
    """``value`` as an origin, ``scheme://host[:port]``: no path, query or credentials (else ImproperlyConfigured)."""
    from urllib.parse import urlsplit

    wrong = f"{name} must be an origin such as https://portal.example.org, not {value!r}."
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError on a port that is not a number
    except ValueError as exc:
        raise ImproperlyConfigured(wrong) from exc
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.username is not None
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
    ):
        raise ImproperlyConfigured(wrong)
    if require_https and parts.scheme != "https":
        raise ImproperlyConfigured(f"{name} must be an https:// origin in production, not {value!r}.")
    host = parts.hostname if port is None else f"{parts.hostname}:{port}"
    return f"{parts.scheme}://{host}"
