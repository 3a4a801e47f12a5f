"""Abstract models shared by the apps."""

from collections.abc import Iterable

from django.db import models


class RowVersioned(models.Model):
    """A row whose every change bumps ``row_version``: the ETag clients send back to detect lost updates."""

    row_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save_new_version(self, *, update_fields: Iterable[str] | None = None) -> None:
        """Save a change as the next version; with ``update_fields``, only those (and the version) are written."""
        self.row_version += 1
        if update_fields is None:
            self.save()
        else:
            self.save(update_fields=[*update_fields, "row_version"])
