"""The dashboards' pages and index links on the admin site (found like admin.py: backend/admin_apps.py)."""

from django.contrib import admin

from reports import dashboards

admin.site.register_view("dashboards/force/<str:code>/", dashboards.force_dashboard, "reports_force_dashboard")
admin.site.register_view("dashboards/area/<str:code>/", dashboards.area_dashboard, "reports_area_dashboard")
admin.site.register_view("dashboards/pack/<str:code>/", dashboards.pack_download, "reports_pack_download")
admin.site.register_index_links(dashboards.dashboard_links)
