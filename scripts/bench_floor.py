"""The framework floors of `make bench` and `make load`: bare DRF lists, and the URLconf serving them beside the API.

One floor per list, the floor of the list's own table (scripts/bench_targets.py ``LIST_FLOORS`` names which
list each floor is for, and its path; decision 0017): ``GET /bench-floor/<list>/``, knox token authentication
(the library's own class), ``IsAuthenticated``, no throttles (``throttle_classes = []``: DRF's
``DEFAULT_THROTTLE_CLASSES`` would apply otherwise), no tenancy filter, no filters, a ``ModelSerializer`` of
the table's concrete columns (no many-to-many, no reverse relation; a foreign key is rendered as DRF renders
it by default, its id, read from the row: no query per row) and DRF's ``CursorPagination`` of 50 rows by
``-id`` (keyset: no ``COUNT``). They run behind the same middleware as the API and are called the same way,
so ``p50(list) / p50(its floor)`` is what the app adds to what Django, DRF and knox cost anyway for rows of
that width.

The cases list's floor is the narrow floor, ``FLOOR_PATH`` (``/bench-floor/cases/``, the eight columns of
``disclosure_case``), the one floor of decision 0016: every list's ratio to it stays printed beside the ratio
to its own floor.

They are defined here only, and served only by the two measuring tools, never by the app:
``scripts/bench.py`` sets ``ROOT_URLCONF`` to this module, which serves ``backend.urls`` unchanged beside the
floors; ``make load``'s URLconf (scripts/load_urls.py) imports ``FLOOR_VIEWS`` and serves them at the same paths.
"""

from bench_targets import LIST_FLOORS, NARROW_FLOOR_PATH
from django.urls import path
from knox.auth import TokenAuthentication
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated

from backend.urls import handler400, handler403, handler404, handler500  # noqa: F401 - the URLconf's handlers
from backend.urls import urlpatterns as app_urlpatterns
from disclosure.models import Assessment, Case, Defect, DipSample

FLOOR_PATH = NARROW_FLOOR_PATH


def concrete_columns(model) -> list[str]:
    """The names ``ModelSerializer`` gives the columns of ``model``'s table: each concrete field (a foreign key by
    its name, rendered as its id), in the table's order; no many-to-many, no reverse relation."""
    return [field.name for field in model._meta.concrete_fields]


class FloorCaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "urn", "stream", "force", "area", "created_at", "updated_at", "created_by"]


class FloorDipSampleSerializer(serializers.ModelSerializer):
    class Meta:
        model = DipSample
        fields = concrete_columns(DipSample)


class FloorAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = concrete_columns(Assessment)


class FloorDefectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Defect
        fields = concrete_columns(Defect)


class FloorPagination(CursorPagination):
    page_size = 50
    ordering = "-id"


class FloorListView(generics.ListAPIView):
    """The narrow floor (the cases list's own), and the class of every floor."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = []
    filter_backends = []
    serializer_class = FloorCaseSerializer
    pagination_class = FloorPagination
    queryset = Case.objects.all()


class FloorDipSampleListView(FloorListView):
    serializer_class = FloorDipSampleSerializer
    queryset = DipSample.objects.all()


class FloorAssessmentListView(FloorListView):
    serializer_class = FloorAssessmentSerializer
    queryset = Assessment.objects.all()


class FloorDefectListView(FloorListView):
    serializer_class = FloorDefectSerializer
    queryset = Defect.objects.all()


#: {list: the view of its floor}, for each list of ``LIST_FLOORS`` (a test holds the two, and each view's table, equal).
FLOOR_VIEWS = {
    "dip-samples list": FloorDipSampleListView,
    "assessments list": FloorAssessmentListView,
    "defects list": FloorDefectListView,
    "cases list": FloorListView,
}


def floor_urlpatterns(name_prefix: str | None = None) -> list:
    """A path per floor, at its ``LIST_FLOORS`` path (named ``<name_prefix>-<list>`` when a prefix is given)."""
    return [
        path(
            LIST_FLOORS[list_name].path.lstrip("/"),
            view.as_view(),
            name=f"{name_prefix}-{list_name.replace(' ', '-')}" if name_prefix else None,
        )
        for list_name, view in FLOOR_VIEWS.items()
    ]


urlpatterns = [*floor_urlpatterns(), *app_urlpatterns]
