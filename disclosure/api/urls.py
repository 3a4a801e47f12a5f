from rest_framework.routers import SimpleRouter

from disclosure.api import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("schedules", views.ScheduleViewSet, basename="schedule")
router.register("defect-categories", views.DefectCategoryViewSet, basename="defect-category")
router.register("checklists", views.ChecklistViewSet, basename="checklist")
router.register("dip-samples", views.DipSampleViewSet, basename="dip-sample")
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register("defects", views.DefectViewSet, basename="defect")

urlpatterns = router.urls
