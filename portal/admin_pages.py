"""The start page of each role, shown on the admin index (found like admin.py: backend/admin_apps.py)."""

from django.contrib import admin

from portal.start import start_page

admin.site.register_start_page(start_page)
