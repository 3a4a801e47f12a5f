"""``django.contrib.admin`` with ``backend.admin_site.PortalAdminSite`` as ``admin.site``.

Its own module: an app config is imported while the app registry fills, before models may be.
"""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "backend.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        # Besides each app's admin.py, its admin_pages.py (extra admin pages and index links:
        # backend.admin_site.PortalAdminSite.register_view), found the way Django finds admin.py.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("admin_pages")
