"""Token authentication: knox's tokens, checked in one query, and a 401 (not a crash) for a malformed header."""

import binascii
from hmac import compare_digest

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework.exceptions import AuthenticationFailed

REFUSED = "Invalid token."


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token authentication in one query per request.

    knox (5.x) reads the token with its user, then every other token of that user to delete the
    expired ones: two queries on every call, the second growing with the user's sessions. Here
    the token is found by its key prefix with its user joined (one query), its expiry and digest
    are checked as knox does, and only the presented token is deleted when it has expired. The
    user's other expired tokens are pruned when they sign in (``backend.api.auth.LoginView``).
    Revocation is a deleted row (logout, logout-all, password change, deactivation): the next
    request finds no token and gets 401. ``AUTO_REFRESH`` is honoured as knox does it.

    A header with bytes outside ASCII is a 401 (knox would fail to decode it).
    """

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        try:
            if isinstance(header, bytes):
                header.decode("ascii")
            else:
                header.encode("ascii")
        except UnicodeError:
            raise AuthenticationFailed("The Authorization header must be plain ASCII: Token <key>.") from None
        return super().authenticate(request)

    def authenticate_credentials(self, token):
        token = token.decode("ascii")  # authenticate() refused anything else
        try:
            digest = hash_token(token)
        except (TypeError, binascii.Error):
            raise AuthenticationFailed(REFUSED) from None
        candidates = (
            get_token_model().objects.select_related("user").filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
        )
        for auth_token in candidates:  # one row but for a prefix collision
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                self._expire(auth_token)
                raise AuthenticationFailed(REFUSED)
            if knox_settings.AUTO_REFRESH and auth_token.expiry:
                self.renew_token(auth_token)
            return self.validate_user(auth_token)
        raise AuthenticationFailed(REFUSED)

    def _expire(self, auth_token) -> None:
        """Delete an expired token that was presented, and say so as knox does (``token_expired``)."""
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")


def prune_expired_tokens(user) -> int:
    """Delete ``user``'s expired tokens (at sign-in: authentication no longer does it on every call)."""
    deleted, _ = get_token_model().objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return deleted


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of ``TokenAuthentication``: knox's, unchanged."""

    target_class = TokenAuthentication  # type: ignore[assignment]  # drf-spectacular takes the class or its path
