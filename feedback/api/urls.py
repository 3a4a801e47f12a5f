from rest_framework.routers import SimpleRouter

from feedback.api import views

router = SimpleRouter()
router.register("feedback", views.FeedbackViewSet, basename="feedback")
router.register("notices", views.NoticeViewSet, basename="notice")
# Only the draft-feedback action: the dip-sample routes themselves are disclosure's.
router.register("dip-samples", views.DipSampleFeedbackViewSet, basename="dip-sample")

urlpatterns = router.urls
