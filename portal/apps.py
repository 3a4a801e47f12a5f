from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The web interface's glue: the start page of each role and the site's root (docs/decisions/0013)."""

    name = "portal"
    verbose_name = "Disclosure quality portal"
