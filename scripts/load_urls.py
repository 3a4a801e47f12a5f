"""URLconf of the load run (scripts/load_settings.py): the app's, plus the framework floors.

The floors are ``make bench``'s, the same view classes (scripts/bench_floor.py ``FLOOR_VIEWS``) at the same
paths (scripts/bench_targets.py ``LIST_FLOORS``): one per list, a bare DRF list of 50 rows of the list's own
table, and the narrow one, ``/bench-floor/cases/`` (``FLOOR_PATH``, the cases list's own): knox's
``TokenAuthentication``, ``IsAuthenticated``, no throttles, a ``ModelSerializer`` of the table's concrete
columns and ``CursorPagination`` of 50 rows (no ``COUNT``). They are served here beside the app's URLs,
behind the same middleware: each list's throughput under load is compared with its own floor's.
"""

from bench_floor import FLOOR_PATH, floor_urlpatterns

from backend.urls import handler400, handler403, handler404, handler500
from backend.urls import urlpatterns as app_urlpatterns

urlpatterns = [*floor_urlpatterns("load-floor"), *app_urlpatterns]

__all__ = ["FLOOR_PATH", "handler400", "handler403", "handler404", "handler500", "urlpatterns"]
