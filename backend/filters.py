"""Query-string filters that obey the tenancy rule and refuse what they do not understand.

Every FilterSet of the API derives from ``ScopedFilterSet``:

- a filter on a related row (``?case=12``, ``?dip_sample=3``) takes its choices from
  ``<Model>.objects.visible_to(request.user)``, so the browsable API's filter form lists only
  rows the user may see, and an id of another tenant's row is refused exactly like an id that
  does not exist: 400, "Select a valid choice", naming the parameter (docs/decisions/0009-strict-api-input.md);
- an id that is not a plain ASCII integer within 64 bits is refused the same way before any
  query is made;
- a boolean filter takes ``true``/``false`` (or ``1``/``0``) and refuses anything else, rather
  than ignoring it and answering the unfiltered list.

``query_parameter_names`` lists the names a FilterSet reads, for the base viewset's check that
refuses unknown query parameters.
"""

import datetime
import re
import weakref
from functools import partial

import django_filters
from django import forms
from django.db import models
from django_filters.fields import IsoDateTimeField
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.widgets import BooleanWidget, SuffixedMultiWidget
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

MAX_ID = 2**63 - 1  # the largest value of a 64-bit signed integer column
_ASCII_INT = re.compile(r"[0-9]{1,19}")


def is_valid_id(value) -> bool:
    """A plain ASCII decimal integer from 0 to 2**63-1 (no sign, no spaces, no other scripts' digits)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value <= MAX_ID
    return isinstance(value, str) and _ASCII_INT.fullmatch(value) is not None and int(value) <= MAX_ID


def _visible(model, request):
    user = getattr(request, "user", None)
    if user is None:  # schema generation and unbound filters: no request, no rows
        return model._default_manager.none()
    return model._default_manager.visible_to(user)


class VisibleModelChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` that refuses a malformed or out-of-range id before querying."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        model = self.queryset.model  # type: ignore[union-attr]  # always given: the filter passes one
        field = model._meta.pk if key == "pk" else model._meta.get_field(key)
        if isinstance(field, models.IntegerField) and not isinstance(value, model) and not is_valid_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return super().to_python(value)


class VisibleModelChoiceFilter(django_filters.ModelChoiceFilter):
    """``?<name>=<id>`` over the rows of ``model`` the requesting user may see."""

    field_class = VisibleModelChoiceField

    def __init__(self, *args, model=None, queryset=None, **kwargs):
        model = model or getattr(queryset, "model", None)
        if model is None:
            raise TypeError("VisibleModelChoiceFilter needs model= (a model whose manager has visible_to).")
        self.model = model
        super().__init__(*args, queryset=partial(_visible, model), **kwargs)


class StrictNullBooleanField(forms.NullBooleanField):
    """``true``/``false``/``1``/``0``; anything else is an error, not "no filter"."""

    TRUE = frozenset({"true", "1"})
    FALSE = frozenset({"false", "0"})

    def to_python(self, value):
        if value in (True, False):
            return value
        if value in self.empty_values:
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError("Give true or false.", code="invalid")

    def validate(self, value):
        pass


class StrictBooleanWidget(BooleanWidget):
    """The true/false select of the browsable API, handing the raw value on (``BooleanWidget`` drops bad ones)."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", StrictBooleanWidget)
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, moved to UTC before it reaches the database.

    PostgreSQL refuses a UTC offset beyond +-15:59 (Python accepts up to 24 hours) and a
    date-time outside its range, with a ``DataError`` (a 500). Moved to UTC, any offset is fine,
    and a value that falls outside the calendar is refused here, naming the parameter.
    """

    default_error_messages = {"out_of_range": "The date and time is outside the range the portal keeps."}

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range") from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


def _related_model_filter(field):
    return {"model": field.remote_field.model}


class ScopedFilterSet(django_filters.FilterSet):
    """The base of every API FilterSet; see the module docstring."""

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.ForeignKey: {"filter_class": VisibleModelChoiceFilter, "extra": _related_model_filter},
        models.OneToOneField: {"filter_class": VisibleModelChoiceFilter, "extra": _related_model_filter},
        models.BooleanField: {"filter_class": BooleanFilter},
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.check_filters(self.filters)

    @classmethod
    def check_filters(cls, filters=None) -> None:
        """Refuse a filter that takes its choices unscoped, or a boolean filter that is not strict."""
        for name, filter_ in (cls.base_filters if filters is None else filters).items():
            model_choice = django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
            if isinstance(filter_, model_choice) and not isinstance(filter_, VisibleModelChoiceFilter):
                raise TypeError(
                    f"{cls.__name__}.{name} takes its choices from an unscoped queryset; "
                    "use backend.filters.VisibleModelChoiceFilter."
                )
            if isinstance(filter_, django_filters.BooleanFilter) and not isinstance(filter_, BooleanFilter):
                raise TypeError(f"{cls.__name__}.{name}: use backend.filters.BooleanFilter (strict values).")


#: ``query_parameter_names`` per FilterSet class (weakly: ``filterset_fields`` builds a class per call).
_PARAMETER_NAMES: "weakref.WeakKeyDictionary[type, frozenset[str]]" = weakref.WeakKeyDictionary()


def query_parameter_names(filterset_class) -> frozenset[str]:
    """The query parameter names ``filterset_class`` reads (a range filter reads ``<name>_<suffix>``)."""
    cached = _PARAMETER_NAMES.get(filterset_class)
    if cached is not None:
        return cached
    names: set[str] = set()
    for name, filter_ in filterset_class.base_filters.items():
        widget = filter_.extra.get("widget") or getattr(filter_.field_class, "widget", None)
        widget_class = widget if isinstance(widget, type) else type(widget)
        if widget is not None and issubclass(widget_class, SuffixedMultiWidget):
            names.update(f"{name}_{suffix}" if suffix else name for suffix in widget_class.suffixes)  # type: ignore[attr-defined]
        else:
            names.add(name)
    _PARAMETER_NAMES[filterset_class] = frozen = frozenset(names)
    return frozen


class ScopedFilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` whose generated FilterSets (``filterset_fields``) are ``ScopedFilterSet``."""

    filterset_base = ScopedFilterSet

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is not None and not issubclass(filterset_class, ScopedFilterSet):
            raise TypeError(f"{filterset_class.__name__} must derive from backend.filters.ScopedFilterSet.")
        return filterset_class

    def filter_queryset(self, request, queryset, view):
        """Filter by the query; a request that sends none of the filterset's parameters is not filtered.

        Such a request binds the filterset to a query without any of its fields: every filter sees an
        empty value, which a filter answers with the queryset unchanged (``Filter.filter``, a
        ``method=`` filter's ``FilterMethod``, ``CodeFilter``), and no field is required. So building
        and validating that form (a field per filter, the scoped choices' querysets) answers the
        queryset as it came; it is skipped. Unknown parameters are refused before, by the viewset
        (``TenantScopedViewSet._refuse_unknown_query_parameters``), not by the form.
        ``tests/backend/test_filter_skip.py`` holds every API FilterSet to that.
        """
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        if query_parameter_names(filterset_class).isdisjoint(request.query_params):
            filterset_class.check_filters()
            return queryset.all()  # what ``FilterSet.qs`` starts from: a copy
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=`` naming a field the view does not offer is a 400, not silently ignored."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        invalid = [term for term in fields if term not in valid]
        if invalid:
            offered = sorted(name for name, _ in self.get_valid_fields(queryset, view, {"request": request}))
            raise ValidationError(
                {self.ordering_param: [f"Unknown ordering field {', '.join(invalid)}; offered: {', '.join(offered)}."]}
            )
        return valid
