"""A list page rendered without DRF's per-field machinery, to the same JSON (issue 12).

DRF renders a row by asking each field for its attribute (``Field.get_attribute``: a loop over
the source path with a ``Mapping`` check and a callable check on every value, exceptions
handled) and then for its ``to_representation``; a date-time also looks up the current time zone
in a context-local each time. On a page of 50 rows of 15 to 28 fields that is most of a list's
serialization (39% of the dip-samples list request, profiled).

``LeanListSerializer`` renders each row of a page with a plan compiled once per serializer class
from the child serializer's own fields. For the field types whose output DRF defines plainly
(integer, char, choice, boolean, date, date-time, primary-key and slug related fields, method
fields, read-only fields) the plan does the same conversion inline; any other field, or any field
whose source it cannot read plainly (a property, a method, a path through a relation it does not
know), is rendered by the field itself, as DRF does. A row the plan cannot read (an attribute
missing, a relation that is not there) is rendered again by DRF whole, so that DRF's own rules
(defaults, ``SkipField``, errors) apply to it. The output is the list DRF builds, key for key;
``tests/backend/test_lean_lists.py`` renders every list of the API both ways and compares the bytes.

Only the list path uses it (``Meta.list_serializer_class``); one row (detail, writes) is DRF's.
"""

import datetime
from collections.abc import Callable
from enum import Enum
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.utils import timezone
from rest_framework import ISO_8601, fields, relations, serializers
from rest_framework.settings import api_settings

#: How a field of a plan is rendered.
PLAIN = "plain"  # the attribute as it is (ReadOnlyField)
INTEGER = "integer"  # int(value)
TEXT = "text"  # str(value)
CHOICE = "choice"  # the choice's value
BOOLEAN = "boolean"
DATE = "date"  # ISO 8601
DATETIME = "datetime"  # ISO 8601 in the current time zone, "Z" for UTC
RELATED_ID = "related_id"  # a primary-key related field: the foreign key's column
SLUG = "slug"  # a slug related field: an attribute of the related row
METHOD = "method"  # a SerializerMethodField
FIELD = "field"  # the field's own get_attribute and to_representation (anything else)

#: Plans by serializer class (fields are declared on the class: the same for every request).
_PLANS: dict[type, "Plan"] = {}


class Step:
    """One field of a plan: its name in the output, how it is read and how it is rendered.

    Only what the field's class declares is kept (never the field, which is bound to one request).
    """

    __slots__ = ("attrs", "choices", "kind", "method_name", "name", "own_zone", "slug", "zone")

    def __init__(self, kind: str, field: Any, attrs: tuple[str, ...] = ()):
        self.name: str = field.field_name
        self.kind = kind
        self.attrs = attrs
        self.choices: dict[str, Any] = dict(getattr(field, "choice_strings_to_values", None) or {})
        slug = getattr(field, "slug_field", None)
        self.slug: tuple[str, ...] = tuple(slug.split("__")) if kind == SLUG and slug else ()
        self.method_name: str = getattr(field, "method_name", None) or ""
        # A date-time field given a time zone of its own keeps it; else the current one, read at each page.
        self.own_zone = hasattr(field, "timezone")
        self.zone: datetime.tzinfo | None = getattr(field, "timezone", None)


class Plan:
    """How to render a row of one serializer class; ``None`` steps list means: DRF's path for every row."""

    def __init__(self, model: type[models.Model] | None, steps: list[Step] | None):
        self.model = model
        self.steps = steps


def _forward_relation(model: type[models.Model], name: str) -> Any:
    """The concrete foreign key or one-to-one field ``name`` of ``model``, else None."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if isinstance(field, models.Field) and field.concrete and (field.many_to_one or field.one_to_one):
        return field
    return None


def _plain_attribute(model: type[models.Model], name: str) -> bool:
    """True when ``getattr(row, name)`` is a stored value: a column, or an annotation (nothing on the class)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        # An annotation of the selector (or an attribute set on the row): not defined by the class.
        return not hasattr(model, name)
    return bool(getattr(field, "concrete", False)) and not field.is_relation


def _path(model: type[models.Model], attrs: list[str]) -> tuple[str, ...] | None:
    """``attrs`` when every step but the last is a forward relation and the last a stored value."""
    current: Any = model
    for name in attrs[:-1]:
        relation = _forward_relation(current, name)
        if relation is None:
            return None
        current = relation.related_model
    return tuple(attrs) if _plain_attribute(current, attrs[-1]) else None


#: Field classes whose conversion the plan makes itself when their source is a stored value.
SIMPLE_KINDS: dict[type, str] = {
    fields.ReadOnlyField: PLAIN,
    fields.IntegerField: INTEGER,
    fields.CharField: TEXT,
    fields.ChoiceField: CHOICE,
    fields.BooleanField: BOOLEAN,
}


def _step(model: type[models.Model], field: Any) -> Step:
    kind = type(field)  # the exact class: a subclass may render otherwise
    if kind is fields.SerializerMethodField:
        return Step(METHOD, field)
    attrs = list(field.source_attrs)
    if field.source == "*" or not attrs:
        return Step(FIELD, field)
    if kind is relations.PrimaryKeyRelatedField or kind is relations.SlugRelatedField:
        relation = _forward_relation(model, attrs[0]) if len(attrs) == 1 else None
        if relation is None or getattr(field, "pk_field", None) is not None:
            return Step(FIELD, field)
        if kind is relations.SlugRelatedField:
            return Step(SLUG, field, tuple(attrs))
        return Step(RELATED_ID, field, (relation.attname,))  # DRF reads the key's column (pk-only optimization)
    path = _path(model, attrs)
    if path is None:
        return Step(FIELD, field)
    if kind is fields.DateTimeField or kind is fields.DateField:
        default = api_settings.DATETIME_FORMAT if kind is fields.DateTimeField else api_settings.DATE_FORMAT
        output_format = getattr(field, "format", default)
        if not isinstance(output_format, str) or output_format.lower() != ISO_8601:
            return Step(FIELD, field)
        return Step(DATETIME if kind is fields.DateTimeField else DATE, field, path)
    if kind is fields.BigIntegerField:
        as_text = getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
        return Step(FIELD if as_text else INTEGER, field, path)
    return Step(SIMPLE_KINDS.get(kind, FIELD), field, path)


def _compile(child: Any) -> Plan:
    meta = getattr(child, "Meta", None)
    model = getattr(meta, "model", None)
    if model is None or type(child).to_representation is not serializers.Serializer.to_representation:
        return Plan(None, None)
    return Plan(model, [_step(model, field) for field in child._readable_fields])


def plan_for(child: Any) -> Plan:
    """The plan of ``child``'s class (compiled on first use); fields built per instance are not cached."""
    klass = type(child)
    # A serializer that builds or trims its fields per instance (get_fields, or __init__ editing
    # self.fields, e.g. per-role fields) is compiled per instance: a cached plan would hand every
    # later request the first instance's fields.
    static = klass.get_fields in (
        serializers.ModelSerializer.get_fields,
        serializers.Serializer.get_fields,
    ) and klass.__init__ in (serializers.ModelSerializer.__init__, serializers.Serializer.__init__)
    if not static:
        return _compile(child)
    plan = _PLANS.get(klass)
    if plan is None:
        plan = _PLANS[klass] = _compile(child)
    return plan


class _NotPlain(Exception):
    """A value the plan does not render itself: the row goes through DRF."""


def _datetime_renderer(step: Step) -> Callable[[Any], Any]:
    zone = step.zone
    if not step.own_zone:
        zone = timezone.get_current_timezone() if settings.USE_TZ else None
    if zone is None:
        raise _NotPlain

    def render(value):
        if type(value) is not datetime.datetime or value.utcoffset() is None:
            raise _NotPlain
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render


def _renderer(step: Step, child: Any) -> Callable[[Any], Any] | None:
    """A function of the value read for ``step``; None for the kinds rendered in the loop."""
    kind = step.kind
    if kind == INTEGER:
        return int
    if kind == TEXT:
        return str
    if kind == DATETIME:
        return _datetime_renderer(step)
    if kind == DATE:

        def render_date(value):
            if type(value) is not datetime.date:
                raise _NotPlain
            return value.isoformat()

        return render_date
    if kind == CHOICE:
        choices = step.choices

        def render_choice(value):
            if value == "":
                return value
            if isinstance(value, Enum) and str(value) != str(value.value):
                value = value.value
            return choices.get(str(value), value)

        return render_choice
    if kind == BOOLEAN:

        def render_boolean(value):
            if value is True or value is False:
                return value
            raise _NotPlain

        return render_boolean
    if kind == SLUG:
        slug = step.slug

        def render_slug(related):
            for name in slug:
                related = getattr(related, name)
            return related

        return render_slug
    if kind == METHOD:
        return getattr(child, step.method_name)
    return None  # PLAIN, RELATED_ID: the value as read


class LeanListSerializer(serializers.ListSerializer):
    """A ``ListSerializer`` whose rows are rendered by the child's compiled plan (same output as DRF's)."""

    def to_representation(self, data):
        rows = data.all() if isinstance(data, models.manager.BaseManager) else data
        child: Any = self.child
        plan = plan_for(child)
        if plan.steps is None or plan.model is None:
            return super().to_representation(rows)
        model = plan.model
        try:
            program: list[tuple[str, str, tuple[str, ...], Any]] = [
                (step.name, step.kind, step.attrs, _renderer(step, child)) for step in plan.steps
            ]
        except _NotPlain:
            return super().to_representation(rows)
        bound = None
        output = []
        for row in rows:
            if type(row) is not model:
                output.append(child.to_representation(row))
                continue
            try:
                rendered = {}
                for name, kind, attrs, render in program:
                    if kind == METHOD:
                        rendered[name] = render(row)
                        continue
                    if kind == FIELD:
                        if bound is None:
                            bound = child.fields
                        field = bound[name]
                        attribute = field.get_attribute(row)
                        check = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
                        rendered[name] = None if check is None else field.to_representation(attribute)
                        continue
                    value = row
                    for attr in attrs:
                        value = getattr(value, attr)
                    if value is None:
                        rendered[name] = None
                    elif render is None:
                        rendered[name] = value
                    else:
                        rendered[name] = render(value)
            except (_NotPlain, AttributeError, KeyError, ObjectDoesNotExist, fields.SkipField):
                rendered = child.to_representation(row)
            output.append(rendered)
        return output
