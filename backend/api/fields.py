"""Serializer fields that resolve references through the tenancy rule.

A reference to a row the user may not see fails exactly like one to a row that does
not exist, so a body cannot be used to probe another tenant's ids.
"""

from rest_framework import serializers

from backend.filters import is_valid_id


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """``PrimaryKeyRelatedField`` over ``queryset.visible_to(request.user)``."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.context["request"].user)

    def to_internal_value(self, data):
        if not is_valid_id(data) and not isinstance(data, bool):
            # Not an id any row can have (beyond 64 bits, a float, other scripts' digits): like a missing one.
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class VisibleSlugRelatedField(serializers.SlugRelatedField):
    """``SlugRelatedField`` over ``queryset.visible_to(request.user)`` (e.g. organisations by code)."""

    default_error_messages = {
        "does_not_exist": "No {slug_name} {value} that you can see.",
        "invalid": "Invalid value.",
    }

    def get_queryset(self):
        return super().get_queryset().visible_to(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, str) and self.slug_field == "code":
            data = data.upper()
        return super().to_internal_value(data)
