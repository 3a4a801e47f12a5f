"""Token authentication that refuses a malformed ``Authorization`` header with 401 instead of crashing."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token authentication; a header with bytes outside ASCII is a 401 (knox would fail to decode it)."""

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


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of ``TokenAuthentication``: knox's, unchanged."""

    target_class = TokenAuthentication
