"""The one base viewset for every API view over tenant-owned rows.

The tenancy rule is applied here before any view code runs: the queryset is always
``<Model>.objects.visible_to(request.user)``, so a row outside the user's scope is simply
not found (404). Neither a subclass nor a mixin anywhere in its class hierarchy may define
the sealed methods (a ``TypeError`` at import); views name a ``selector`` (the app's read
layer, which starts from ``visible_to(user)``: checked on every request) and declare
``permission_classes``, which are checked only after the base's own check that the user is
signed in and active.

Input is strict (docs/decisions/0009-strict-api-input.md): a query parameter the view does not
read, or a body field its input serializer does not take, is a 400 naming it.
"""

import re
from collections.abc import Callable
from typing import Any

from auditlog.signals import accessed
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404
from rest_framework import mixins, viewsets
from rest_framework import status as http_status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from backend.api.strict import validate_strictly
from backend.audit import audit_set_actor, log_list_consultation
from backend.filters import is_valid_id, query_parameter_names
from backend.querysets import ScopedQuerySet, request_memo

SEALED_METHODS = (
    "get_queryset",
    "get_object",
    "get_permissions",
    "check_permissions",
    "check_object_permissions",
    "initial",
)
#: Query parameters every view reads: the response format (``?format=api`` for the browsable API).
COMMON_QUERY_PARAMETERS = frozenset({"format"})
UNKNOWN_QUERY_PARAMETER = "Unknown query parameter."
#: ``If-Match: "3"`` or ``W/"3"``: the ETag we sent, ASCII digits only.
_IF_MATCH = re.compile(r'(?:W/)?"([0-9]{1,18})"|([0-9]{1,18})', re.ASCII)


class IsActiveUser(BasePermission):
    """Signed in with an active account: checked before any permission a view declares."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


def _may_define_sealed(klass) -> bool:
    return klass is object or klass.__module__.split(".")[0] in {"rest_framework", "django"}


class TenantScopedViewSet(viewsets.GenericViewSet[Any]):
    #: Set by subclasses: ``Model.objects.all()``; its queryset class must offer ``visible_to(user)``
    #: (left ``None``, DRF's default, the view serves nothing).
    queryset: ScopedQuerySet
    #: Set by subclasses: the read selector, ``selector(user=) -> Model.objects.visible_to(user)...``;
    #: without one, the rows are ``queryset.visible_to(user)``.
    selector: Callable[..., QuerySet[Any]] | None = None
    #: Reads of case-level records, detail and list, are logged as consultations (DPA 2018 s.62).
    log_consultation = False
    #: Query parameters a view (or one action, through ``@action(extra_query_parameters=...)``) reads
    #: besides its filters, ``ordering`` and the page ones; any other is a 400.
    extra_query_parameters: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for klass in cls.__mro__:
            if klass is TenantScopedViewSet or _may_define_sealed(klass):
                continue
            for name in SEALED_METHODS:
                if name in klass.__dict__:
                    raise TypeError(
                        f"{cls.__qualname__} gets {name}() from {klass.__qualname__}, but {name}() applies the "
                        "tenancy rule; name a selector or declare permission_classes instead."
                    )
        queryset = getattr(cls, "queryset", None)  # wherever in the hierarchy it is set
        if queryset is not None and not hasattr(queryset, "visible_to"):
            raise TypeError(f"{cls.__qualname__}.queryset must be a queryset with visible_to(user).")

    def dispatch(self, request, *args, **kwargs):
        # What the scoping derives from the user's memberships is read once per request.
        with request_memo():
            return super().dispatch(request, *args, **kwargs)

    def get_permissions(self):
        # Signed in and active first, whatever a subclass declares (even AllowAny).
        return [IsActiveUser(), *super().get_permissions()]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Token authentication happens inside DRF, after the audit middleware ran.
        audit_set_actor(request.user)
        self._refuse_unknown_query_parameters(request)

    def _known_query_parameters(self) -> set[str]:
        known = set(COMMON_QUERY_PARAMETERS) | set(self.extra_query_parameters)
        if self.action != "list":
            return known
        for backend_class in self.filter_backends:
            backend = backend_class()
            if hasattr(backend, "get_filterset_class"):
                filterset_class = backend.get_filterset_class(self, self.queryset)
                if filterset_class is not None:
                    known |= query_parameter_names(filterset_class)
            for attribute in ("ordering_param", "search_param"):
                if hasattr(backend, attribute):
                    known.add(getattr(backend, attribute))
        paginator = self.paginator
        for attribute in ("page_query_param", "page_size_query_param", "limit_query_param", "offset_query_param"):
            if getattr(paginator, attribute, None):
                known.add(getattr(paginator, attribute))
        return known

    def _refuse_unknown_query_parameters(self, request) -> None:
        if not request.query_params:
            return
        known = self._known_query_parameters()
        unknown = [name for name in request.query_params if name not in known]
        if unknown:
            raise ValidationError({name: [UNKNOWN_QUERY_PARAMETER] for name in unknown})

    def get_queryset(self):
        model = self.queryset.model
        if getattr(self, "swagger_fake_view", False):
            return model.objects.none()
        user = self.request.user
        selector = type(self).selector
        queryset = selector(user=user) if selector is not None else self.queryset.all().visible_to(user)
        if queryset.model is not model or not (isinstance(queryset, ScopedQuerySet) and queryset.is_scoped_for(user)):
            raise ImproperlyConfigured(
                f"{type(self).__qualname__}: the selector must start from {model.__name__}.objects.visible_to(user)."
            )
        return queryset

    def get_object(self):
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        meta = self.queryset.model._meta
        field = meta.pk if self.lookup_field == "pk" else meta.get_field(self.lookup_field)
        if isinstance(field, models.IntegerField) and not is_valid_id(lookup):
            raise Http404  # not an id any row can have (e.g. beyond 64 bits): like one that does not exist
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
        validate_strictly(serializer)  # also a 400 for every field the serializer does not take
        return dict(serializer.validated_data)

    def row_version_from_request(self, data: dict) -> int | None:
        """The version the client read: the ``If-Match`` header (an ETag we sent) or a ``row_version`` field."""
        header = self.request.headers.get("If-Match", "").strip()
        from_body = data.pop("row_version", None)
        if from_body is not None and not is_valid_id(from_body):
            raise ValidationError({"row_version": ["Send the row_version you read."]})
        if not header:
            return from_body
        match = _IF_MATCH.fullmatch(header)
        if match is None:
            raise ValidationError({"If-Match": ['Send the ETag you read, e.g. "3" (or the row_version field).']})
        return int(match.group(1) or match.group(2))

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

    def finalize_response(self, request, response, *args, **kwargs):
        data = getattr(response, "data", None)
        if isinstance(data, dict) and "row_version" in data and response.status_code < 300:
            response["ETag"] = f'"{data["row_version"]}"'
        return super().finalize_response(request, response, *args, **kwargs)


# --- what a viewset allows, declared ----------------------------------------------------------
#
# A viewset inherits only the actions it serves: the router maps an HTTP method to an action
# only where the viewset has that method, so PUT (``update``) is simply not there. Each write
# action names the service it runs (a plain function, keyword-only) and, for a body, the input
# serializer whose validated fields the service takes.


class ListRetrieve(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """``GET`` a list and ``GET`` one row, scoped by the base."""


class CreateWithService(TenantScopedViewSet):
    """``POST`` to the list: ``service(actor=, **validated input)``, answered 201 with the new row."""

    #: ``(service, input serializer)``.
    create_with: tuple[Callable[..., Any], type[Serializer[Any]]]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service, input_serializer = self.create_with
        data = self.validated_input(input_serializer)
        return self.respond_with(service, status=http_status.HTTP_201_CREATED, **data)


class PatchWithService(TenantScopedViewSet):
    """A versioned ``PATCH`` of one row: ``service(actor=, <service_target>=row, row_version=, **changes)``.

    The version the client read comes from ``If-Match`` or a ``row_version`` field (409 when stale).
    """

    #: ``(service, input serializer)``; every field optional (a partial update).
    patch_with: tuple[Callable[..., Any], type[Serializer[Any]]]
    #: The keyword under which the services take the row (``dip_sample``, ``defect``...).
    service_target: str

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service, input_serializer = self.patch_with
        target = {self.service_target: self.get_object()}
        data = self.validated_input(input_serializer, partial=True)
        row_version = self.row_version_from_request(data)
        return self.respond_with(service, **target, row_version=row_version, **data)


class DeleteWithService(TenantScopedViewSet):
    """``DELETE`` one row: ``service(actor=, <service_target>=row)``, answered 204."""

    delete_with: Callable[..., Any]
    service_target: str

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = {self.service_target: self.get_object()}
        return self.respond_with(type(self).delete_with, **target)
