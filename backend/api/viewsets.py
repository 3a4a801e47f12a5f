"""The one base viewset for every API view over tenant-owned rows.

The tenancy rule is applied here before any view code runs: the queryset is always
``<Model>.objects.visible_to(request.user)``, so a row outside the user's scope is simply
not found (404). Subclasses cannot override ``get_queryset``, ``get_object`` or
``get_permissions`` (a ``TypeError`` at import); they name a ``selector`` (the app's read layer,
which starts from ``visible_to(user)``: checked on every request) and declare
``permission_classes`` instead.
"""

from auditlog.signals import accessed
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from rest_framework import status as http_status
from rest_framework import viewsets
from rest_framework.response import Response

from backend.audit import audit_set_actor, log_list_consultation

SEALED_METHODS = ("get_queryset", "get_object", "get_permissions", "initial")


class TenantScopedViewSet(viewsets.GenericViewSet):
    #: Set by subclasses: ``Model.objects.all()``; its queryset class must offer ``visible_to(user)``.
    queryset = None
    #: Reads of case-level records, detail and list, are logged as consultations (DPA 2018 s.62).
    log_consultation = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in SEALED_METHODS:
            if name in cls.__dict__:
                raise TypeError(
                    f"{cls.__qualname__} overrides {name}(), which applies the tenancy rule; "
                    "name a selector or declare permission_classes instead."
                )
        queryset = cls.__dict__.get("queryset")
        if queryset is not None and not hasattr(queryset, "visible_to"):
            raise TypeError(f"{cls.__qualname__}.queryset must be a queryset with visible_to(user).")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Token authentication happens inside DRF, after the audit middleware ran.
        audit_set_actor(request.user)

    def get_queryset(self):
        model = self.queryset.model
        if getattr(self, "swagger_fake_view", False):
            return model.objects.none()
        user = self.request.user
        selector = type(self).selector
        queryset = selector(user=user) if selector is not None else self.queryset.all().visible_to(user)
        if queryset.model is not model or not queryset.is_scoped_for(user):
            raise ImproperlyConfigured(
                f"{type(self).__qualname__}: the selector must start from {model.__name__}.objects.visible_to(user)."
            )
        return queryset

    def get_object(self):
        obj = super().get_object()
        if self.log_consultation and self.request.method == "GET":
            accessed.send(sender=obj.__class__, instance=obj)
        return obj

    # --- audit: a list read is a consultation of every row on the page (backend.audit) ----------

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.log_consultation and self.request.method == "GET":
            if page is None:
                raise ImproperlyConfigured(f"{type(self).__qualname__} logs consultations: its lists must paginate.")
            log_list_consultation(request=self.request, view=self, model=queryset.model, rows=page)
        return page

    # --- writes: views parse input, call one service, and answer with the scoped result ----

    def validated_input(self, serializer_class, *, partial: bool = False) -> dict:
        """Validate the request body with ``serializer_class``; 400 naming every bad field."""
        serializer = serializer_class(data=self.request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def row_version_from_request(self, data: dict) -> int | None:
        """The version the client read: the ``If-Match`` header (an ETag we sent) or a ``row_version`` field."""
        header = self.request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
        from_body = data.pop("row_version", None)
        return int(header) if header.isdigit() else from_body

    def respond_with(self, service, /, *, status: int = http_status.HTTP_200_OK, **kwargs) -> Response:
        """Run ``service(actor=user, **kwargs)`` and answer with the object it returns, re-read in scope.

        The re-read is the after-write check: if the change would put the row outside the
        actor's scope, it is rolled back with 403 (a record cannot be moved to another force).
        """
        with transaction.atomic():
            result = service(actor=self.request.user, **kwargs)
            if result is None:
                return Response(status=http_status.HTTP_204_NO_CONTENT)
            scoped = self.get_queryset().filter(pk=result.pk).first()
            if scoped is None:
                raise PermissionDenied("The change would put this record outside your organisations.")
        return Response(self.get_serializer(scoped).data, status=status)

    def update_with(self, service, serializer_class, *, target: str) -> Response:
        """A versioned ``PATCH``: ``service(actor=, <target>=the object, row_version=, **changed fields)``."""
        obj = self.get_object()
        data = self.validated_input(serializer_class, partial=True)
        row_version = self.row_version_from_request(data)
        return self.respond_with(service, **{target: obj}, row_version=row_version, **data)

    def finalize_response(self, request, response, *args, **kwargs):
        data = getattr(response, "data", None)
        if isinstance(data, dict) and "row_version" in data and response.status_code < 300:
            response["ETag"] = f'"{data["row_version"]}"'
        return super().finalize_response(request, response, *args, **kwargs)
