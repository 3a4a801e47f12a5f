"""The framework floor of `make bench` and `make load`: a bare DRF list, and the URLconf that serves it beside the API.

``GET /bench-floor/cases/``: knox token authentication (the library's own class), ``IsAuthenticated``,
no throttles (``throttle_classes = []``: DRF's ``DEFAULT_THROTTLE_CLASSES`` would apply otherwise),
no tenancy filter, no filters, a ``ModelSerializer`` of the eight columns of one table
(``disclosure_case``, about as wide as the API's list rows) and DRF's ``CursorPagination`` of 50
rows (keyset: no ``COUNT``). It runs behind the same middleware as the API and is called the same
way, so ``p50(list) / p50(floor)`` is what the app adds to what Django, DRF and knox cost anyway.

It is defined here only, and served only by the two measuring tools, never by the app:
``scripts/bench.py`` sets ``ROOT_URLCONF`` to this module, which serves ``backend.urls`` unchanged
beside the floor; ``make load``'s URLconf (scripts/load_urls.py) imports ``FloorListView`` and
serves it at the same path, ``FLOOR_PATH``, beside the app's URLs.
"""

from django.urls import path
from knox.auth import TokenAuthentication
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated

from backend.urls import handler400, handler403, handler404, handler500  # noqa: F401 - the URLconf's handlers
from backend.urls import urlpatterns as app_urlpatterns
from disclosure.models import Case

FLOOR_PATH = "/bench-floor/cases/"


class FloorCaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "urn", "stream", "force", "area", "created_at", "updated_at", "created_by"]


class FloorPagination(CursorPagination):
    page_size = 50
    ordering = "-id"


class FloorListView(generics.ListAPIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = []
    filter_backends = []
    serializer_class = FloorCaseSerializer
    pagination_class = FloorPagination
    queryset = Case.objects.all()


urlpatterns = [path(FLOOR_PATH.strip("/") + "/", FloorListView.as_view()), *app_urlpatterns]
