"""Strict request bodies: a field the endpoint does not take is an error, not silently dropped.

A typo (``"sizee": 3``) or a field of another endpoint would otherwise be ignored and the request
succeed doing something else than asked (a no-op PATCH still bumps versions and voids sign-offs).
"""

from collections.abc import Mapping

from rest_framework import serializers

UNKNOWN_FIELD = "Unknown field."
#: Keys a browser form adds to a body, never a field.
FORM_KEYS = frozenset({"csrfmiddlewaretoken"})


def unknown_fields(serializer, data, prefix: str = "") -> dict[str, list[str]]:
    """Every key of ``data`` that ``serializer`` does not write, by path (``answers[0].colour``)."""
    found: dict[str, list[str]] = {}
    if isinstance(serializer, serializers.ListSerializer):
        if isinstance(data, list):
            for index, item in enumerate(data):
                found.update(unknown_fields(serializer.child, item, f"{prefix}[{index}]"))
        return found
    if not isinstance(serializer, serializers.Serializer) or not isinstance(data, Mapping):
        return found
    writable = {name: field for name, field in serializer.fields.items() if not field.read_only}
    for key in data:
        if key in FORM_KEYS:
            continue
        path = f"{prefix}.{key}" if prefix else str(key)
        if key not in writable:
            found[path] = [UNKNOWN_FIELD]
        else:
            found.update(unknown_fields(writable[key], data[key], path))
    return found


def validate_strictly(serializer) -> None:
    """``serializer.is_valid(raise_exception=True)``, also naming every unknown field (all in one 400)."""
    valid = serializer.is_valid()
    unknown = unknown_fields(serializer, serializer.initial_data)
    if unknown or not valid:
        raise serializers.ValidationError({**serializer.errors, **unknown})
