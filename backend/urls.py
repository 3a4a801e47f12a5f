from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backend.api.auth import LoginView, LogoutAllView, LogoutView
from backend.api.root import ApiRootView
from backend.health import healthz
from backend.origin import OriginPasswordResetForm
from backend.ratelimit import login_rate_limited

admin.site.site_header = "Disclosure quality portal"
admin.site.site_title = "Disclosure quality portal"
admin.site.index_title = "Start"

api_v1 = [
    path("auth/login/", LoginView.as_view(), name="login"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="logout-all"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("forces.api.urls")),
    path("", include("audit.api.urls")),
    path("", include("disclosure.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("reports.api.pack_urls")),
]
api_v1.insert(0, path("", ApiRootView.as_view(api_patterns=api_v1), name="api-root"))

# Django's password reset by e-mail link (an org admin sends it, or "Forgotten your password?" on the
# sign-in page); the request form spends the address's login budget like a sign-in. The links point at
# PORTAL_ORIGIN, never at the request's Host header (backend/origin.py).
password_reset = [
    path(
        "admin/password_reset/",
        login_rate_limited(auth_views.PasswordResetView.as_view(form_class=OriginPasswordResetForm)),
        name="admin_password_reset",
    ),
    path("admin/password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        login_rate_limited(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

# rest_framework.urls, with its login view under the per-address login budget.
browsable_api_auth = [
    path(
        "login/",
        login_rate_limited(auth_views.LoginView.as_view(template_name="rest_framework/login.html")),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

# Django's own error responses: the API error shape under /api/, the usual pages elsewhere.
handler400 = "backend.api.handlers.bad_request"
handler403 = "backend.api.handlers.permission_denied"
handler404 = "backend.api.handlers.page_not_found"
handler500 = "backend.api.handlers.server_error"

urlpatterns = [
    path("", include("portal.urls")),  # / -> the start page or the sign-in page
    path("healthz", healthz, name="healthz"),
    *password_reset,
    # Before admin.site.urls, so this wrapped view answers /admin/login/ (every login path is rate-limited).
    path("admin/login/", login_rate_limited(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api-auth/", include((browsable_api_auth, "rest_framework"))),
]
