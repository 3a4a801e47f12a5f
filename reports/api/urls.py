from rest_framework.routers import SimpleRouter

from reports.api import views

router = SimpleRouter()
router.register("organisations", views.OrganisationReportViewSet, basename="organisation")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("action-items", views.ActionItemViewSet, basename="action-item")

urlpatterns = router.urls
