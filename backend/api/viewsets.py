"""The one base viewset for every API view over tenant-owned rows.

The tenancy rule is applied here before any view code runs: the queryset is always
``<Model>.objects.visible_to(request.user)``, so a row outside the user's scope is simply
not found (404). Subclasses cannot override ``get_queryset``, ``get_object`` or
``get_permissions`` (a ``TypeError`` at import); they refine the scoped queryset through
``refine_queryset`` and declare ``permission_classes`` instead.
"""

from auditlog.signals import accessed
from rest_framework import viewsets

from backend.audit import audit_set_actor

SEALED_METHODS = ("get_queryset", "get_object", "get_permissions", "initial")


class TenantScopedViewSet(viewsets.GenericViewSet):
    #: Set by subclasses: ``Model.objects.all()``; its queryset class must offer ``visible_to(user)``.
    queryset = None
    #: Detail reads of case-level records are logged as consultations (DPA 2018 s.62).
    log_consultation = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in SEALED_METHODS:
            if name in cls.__dict__:
                raise TypeError(
                    f"{cls.__qualname__} overrides {name}(), which applies the tenancy rule; "
                    "use refine_queryset() or permission_classes instead."
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
        return self.refine_queryset(self.queryset.all().visible_to(self.request.user))

    def refine_queryset(self, queryset):
        """Hook: add select_related/annotations or narrow further. Never widen."""
        return queryset

    def get_object(self):
        obj = super().get_object()
        if self.log_consultation and self.request.method == "GET":
            accessed.send(sender=obj.__class__, instance=obj)
        return obj

    def get_permissions(self):
        return super().get_permissions()
