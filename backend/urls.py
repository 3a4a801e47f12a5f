from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backend.api.auth import LoginView, LogoutView
from backend.health import healthz

admin.site.site_header = "Disclosure quality portal"
admin.site.site_title = "Disclosure quality portal"
admin.site.index_title = "Administration"

api_v1 = [
    path("auth/login/", LoginView.as_view(), name="login"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("forces.api.urls")),
    path("", include("audit.api.urls")),
    path("", include("disclosure.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api-auth/", include("rest_framework.urls", namespace="rest_framework")),
]
