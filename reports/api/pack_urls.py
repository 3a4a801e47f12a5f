from rest_framework.routers import SimpleRouter

from reports.api.pack_views import MeetingPackViewSet, OrganisationPackViewSet

router = SimpleRouter()
router.register("organisations", OrganisationPackViewSet, basename="organisation")
router.register("meetings", MeetingPackViewSet, basename="meeting")

urlpatterns = router.urls
