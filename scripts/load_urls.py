"""URLconf of the load run (scripts/load_settings.py): the app's, plus the framework floor.

The floor is ``make bench``'s, the same view class (scripts/bench_floor.py ``FloorListView``) at the
same path, ``/bench-floor/cases/`` (``FLOOR_PATH``): knox's ``TokenAuthentication``,
``IsAuthenticated``, no throttles, a ``ModelSerializer`` of the eight columns of ``disclosure_case``
and ``CursorPagination`` of 50 rows (no ``COUNT``). It is served here beside the app's URLs,
behind the same middleware: every list's throughput under load is compared with it.
"""

from bench_floor import FLOOR_PATH, FloorListView
from django.urls import path

from backend.urls import handler400, handler403, handler404, handler500
from backend.urls import urlpatterns as app_urlpatterns

urlpatterns = [path(FLOOR_PATH.lstrip("/"), FloorListView.as_view(), name="load-floor"), *app_urlpatterns]

__all__ = ["FLOOR_PATH", "handler400", "handler403", "handler404", "handler500", "urlpatterns"]
