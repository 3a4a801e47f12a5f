"""Type aliases shared by the services and selectors."""

from django.contrib.auth.models import AnonymousUser, User

#: Whoever reads: a signed-in user, or an anonymous request (for which the selectors answer nothing).
Viewer = User | AnonymousUser

__all__ = ["User", "Viewer"]
