"""URLconf of the load run (scripts/load_settings.py): the app's, plus the bare DRF floor.

The floor is what DRF itself costs with this project's settings: the same middleware, the same
token authentication class, permission class and throttles (DEFAULT_*), answering a page of 50
rows of one table (defects, of a width similar to the app's lists) through a plain
ModelSerializer and DRF's own page-number pagination (a COUNT and a LIMIT query). No scoping,
no joins, no filters, no audit of the read: every list's throughput is compared with it.
"""

from django.urls import path
from rest_framework import generics, pagination, serializers

from backend.urls import handler400, handler403, handler404, handler500
from backend.urls import urlpatterns as app_urlpatterns
from disclosure.models import Defect

FLOOR_PATH = "api/v1/load-floor/"


class FloorPagination(pagination.PageNumberPagination):
    page_size = 50


class FloorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Defect
        fields = "__all__"


class FloorView(generics.ListAPIView):
    queryset = Defect.objects.order_by("pk")
    serializer_class = FloorSerializer
    pagination_class = FloorPagination
    filter_backends = []


urlpatterns = [path(FLOOR_PATH, FloorView.as_view(), name="load-floor"), *app_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
