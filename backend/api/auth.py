"""API authentication: expiring tokens (django-rest-knox) behind lockout (django-axes)."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.views import LoginView as KnoxLoginView
from knox.views import LogoutAllView as KnoxLogoutAllView
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from backend.api.authentication import TokenAuthentication, prune_expired_tokens
from backend.api.strict import validate_strictly
from backend.ratelimit import LoginRateThrottle

LOCKED_OUT_DETAIL = (
    "Too many failed logins: this account is locked. Your organisation admin (for CPS staff, "
    "the Area's organisation admin; for police staff, the force's) or a portal administrator "
    "can unlock it; or wait {minutes} minutes and try again."
)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes lockout answer: the API error shape for API calls, plain text for the admin."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    detail = LOCKED_OUT_DETAIL.format(minutes=minutes)
    code = settings.AXES_HTTP_RESPONSE_CODE
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"status": code, "code": "locked_out", "detail": detail}, status=code)
    else:
        response = HttpResponse(detail, status=code, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


class LoginInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})


class LoginOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()


class LoginView(KnoxLoginView):
    """Exchange a username and password for an expiring API token."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    # Per client address, one budget shared with the admin and browsable-API logins.
    throttle_classes = [LoginRateThrottle]

    @extend_schema(
        request=LoginInputSerializer,
        responses={
            200: LoginOutputSerializer,
            400: OpenApiResponse(description="Missing fields, or username and password do not match."),
            429: OpenApiResponse(description="Locked out after repeated failures, or rate-limited."),
        },
        description=(
            "At the per-account token limit, the oldest tokens are revoked to make room: "
            "knowing the password never locks the account's owner out."
        ),
        tags=["auth"],
    )
    def post(self, request, format=None):
        data = LoginInputSerializer(data=request.data)
        validate_strictly(data)
        django_request = request._request  # axes marks the lockout on the Django request
        user = authenticate(
            request=django_request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                return lockout_response(django_request)
            raise serializers.ValidationError(
                {"non_field_errors": ["The username and password do not match an active account."]}
            )
        request.user = user
        prune_expired_tokens(user)  # authentication deletes only the expired token presented to it
        self.revoke_oldest_tokens(user)
        return super().post(request, format=format)

    def revoke_oldest_tokens(self, user) -> None:
        """Make room for one more token under the per-user limit by revoking the oldest live ones.

        Refusing the login instead (knox's default) would let anyone who has the password fill
        every slot and lock the owner out until the tokens expire.
        """
        limit = self.get_token_limit_per_user()
        if limit is None:
            return
        now = timezone.now()
        live = user.auth_token_set.filter(Q(expiry__gt=now) | Q(expiry__isnull=True)).order_by("-created", "-pk")
        keep = list(live.values_list("pk", flat=True)[: max(limit - 1, 0)])
        live.exclude(pk__in=keep).delete()


class LogoutView(KnoxLogoutView):
    """Revoke the token this request was made with."""

    authentication_classes = [TokenAuthentication]  # knox's, refusing a non-ASCII header with 401

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request, format=None):
        return super().post(request, format=format)


class LogoutAllView(KnoxLogoutAllView):
    """Revoke every token of the signed-in user (log out everywhere, e.g. after a lost laptop)."""

    authentication_classes = [TokenAuthentication]  # knox's, refusing a non-ASCII header with 401

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request, format=None):
        return super().post(request, format=format)
