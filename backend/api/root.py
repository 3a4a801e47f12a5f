"""``GET /api/v1/``: the API's front door - every resource's list, the signed-in user, the schema and its docs."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

#: Routes of the ``api`` namespace listed besides the resources' lists (``<basename>-list``).
EXTRA_ROUTES = {"login": "login", "me": "me", "schema": "schema", "docs": "docs"}


def _list_routes(patterns, names=None) -> list[str]:
    """Names of the resources' list routes (``organisation-list``...), in the order the URLconf declares them."""
    from django.urls import URLPattern, URLResolver

    names = [] if names is None else names
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _list_routes(pattern.url_patterns, names)
        elif isinstance(pattern, URLPattern) and (pattern.name or "").endswith("-list") and pattern.name not in names:
            names.append(pattern.name)
    return names


class ApiRootView(APIView):
    """The resources of this API, each by the URL of its list, and where to read how to use them."""

    permission_classes = [AllowAny]  # names and links only, like the schema: no data
    api_patterns: list = []

    @extend_schema(exclude=True)
    def get(self, request):
        resources = {
            name.removesuffix("-list"): reverse(f"api:{name}", request=request)
            for name in _list_routes(self.api_patterns)
        }
        links = {label: reverse(f"api:{name}", request=request) for name, label in EXTRA_ROUTES.items()}
        return Response({"resources": resources, **links})
