from rest_framework.routers import SimpleRouter

from reports.api.pack_views import OrganisationPackViewSet

router = SimpleRouter()
router.register("organisations", OrganisationPackViewSet, basename="organisation")

urlpatterns = router.urls
