"""Input and output serializers of the dip-sampling API: separate, module-level, uniquely named."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.api.fields import VisiblePrimaryKeyRelatedField, VisibleSlugRelatedField
from backend.api.lean import SIMPLE_KINDS, TEXT, LeanListSerializer
from disclosure.models import (
    Assessment,
    AssessmentAnswer,
    Case,
    Checklist,
    Criterion,
    CriterionResult,
    Defect,
    DefectCategory,
    DipSample,
    Rating,
    SampledSchedule,
    Schedule,
    ScheduleKind,
    Severity,
)
from disclosure.selectors import answers_by_assessment, sampled_by_dip_sample
from disclosure.services.cases import ITEM_COUNT_MAX, REVISION_MAX, validate_received_on
from disclosure.services.samples import MAX_SAMPLE_SIZE
from forces.models import Organisation, Stream

User = get_user_model()


class PoliceForceField(VisibleSlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Organisation.objects.forces(), **kwargs)


class LeadField(serializers.SlugRelatedField):
    """A disclosure lead by username; the service checks the lead covers the sample's stream and side.

    Only members of organisations the requester can see are found, so the field cannot be
    used to learn which usernames exist elsewhere.
    """

    default_error_messages = {"does_not_exist": "No user {value} in the organisations you can see."}

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", queryset=User.objects.filter(is_active=True), **kwargs)

    def get_queryset(self):
        visible = Organisation.objects.visible_to(self.context["request"].user)
        users = super().get_queryset()
        if users is None:
            raise TypeError("LeadField needs a queryset.")
        return users.filter(memberships__organisation__in=visible).distinct()


@extend_schema_field({"type": "string", "description": Organisation._meta.get_field("code").help_text})
class OrganisationCodeField(serializers.CharField):
    """A force's or Area's code, read from a column of the row (``disclosure.selectors.organisation_codes``)
    rather than from an ``Organisation`` object; in the schema, the very string the slug field it replaces
    (``SlugRelatedField(slug_field="code")``) showed."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)


# It renders as a CharField does (only its schema differs): the lean list path converts it inline.
SIMPLE_KINDS[OrganisationCodeField] = TEXT


class RowVersionInputMixin(serializers.Serializer):
    row_version = serializers.IntegerField(
        required=False, min_value=1, help_text="The row_version you read; or send it as the If-Match header."
    )


# --- cases and schedules -----------------------------------------------------------------


class CaseCreateInputSerializer(serializers.Serializer):
    urn = serializers.CharField(max_length=20, help_text="11 characters, e.g. 06AB1234525; stored upper-case.")
    force = PoliceForceField()
    stream = serializers.ChoiceField(choices=Stream.choices)


class CaseOutputSerializer(serializers.ModelSerializer):
    force = OrganisationCodeField(source="force_code")
    area = OrganisationCodeField(source="area_code")
    schedule_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Case
        fields = ["id", "urn", "force", "area", "stream", "schedule_count", "created_at", "updated_at"]
        read_only_fields = fields
        list_serializer_class = LeanListSerializer


class CaseImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=(
            "CSV (UTF-8): force, urn, stream, kind, received_on, item_count[, revision]. At most "
            "CSV_IMPORT_MAX_BYTES bytes and CSV_IMPORT_MAX_ROWS lines after the header (2 MiB and 5000 by default)."
        )
    )


class CaseImportOutputSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    cases_created = serializers.IntegerField()
    schedules_created = serializers.IntegerField()


class ScheduleCreateInputSerializer(serializers.Serializer):
    case = VisiblePrimaryKeyRelatedField(queryset=Case.objects.select_related("force"))
    kind = serializers.ChoiceField(choices=ScheduleKind.choices)
    received_on = serializers.DateField(validators=[validate_received_on])
    item_count = serializers.IntegerField(min_value=0, max_value=ITEM_COUNT_MAX)
    revision = serializers.IntegerField(min_value=1, max_value=REVISION_MAX, default=1)


class ScheduleOutputSerializer(serializers.ModelSerializer):
    urn = serializers.CharField(source="case.urn", read_only=True)
    stream = serializers.CharField(source="case.stream", read_only=True)
    force = OrganisationCodeField(source="force_code")
    area = OrganisationCodeField(source="area_code")

    class Meta:
        model = Schedule
        fields = [
            "id",
            "case",
            "urn",
            "force",
            "area",
            "stream",
            "kind",
            "revision",
            "received_on",
            "item_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = LeanListSerializer


# --- reference data ----------------------------------------------------------------------


class DefectCategoryOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = DefectCategory
        fields = ["code", "name", "side", "default_severity"]
        read_only_fields = fields


class CriterionOutputSerializer(serializers.ModelSerializer):
    applies_to = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Criterion
        fields = ["code", "text", "applies_to", "is_critical"]
        read_only_fields = fields


class ChecklistOutputSerializer(serializers.ModelSerializer):
    criteria = CriterionOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Checklist
        fields = ["id", "version", "title", "published_at", "criteria"]
        read_only_fields = fields


# --- dip samples -------------------------------------------------------------------------


class DipSampleCreateInputSerializer(serializers.Serializer):
    force = PoliceForceField()
    stream = serializers.ChoiceField(choices=Stream.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    cps_lead = LeadField(required=False, allow_null=True, help_text="Username; defaults to you if you are CPS.")
    police_lead = LeadField(required=False, allow_null=True, help_text="Username; defaults to you if you are police.")
    allow_overlap = serializers.BooleanField(
        default=False, help_text="Plan it although another sample of the force and stream covers part of the period."
    )
    overlap_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Required with allow_overlap."
    )


class DipSampleUpdateInputSerializer(RowVersionInputMixin):
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    cps_lead = LeadField(required=False, allow_null=True, help_text="CPS side only.")
    police_lead = LeadField(required=False, allow_null=True, help_text="Police side only.")
    allow_overlap = serializers.BooleanField(required=False)
    overlap_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DipSampleDrawInputSerializer(serializers.Serializer):
    size = serializers.IntegerField(
        min_value=1, max_value=MAX_SAMPLE_SIZE, help_text="At most the cap shown by GET .../eligible/."
    )
    seed = serializers.IntegerField(
        required=False,
        help_text="Refused: the server chooses the seed (a chosen seed would choose the schedules). "
        "The seed is recorded; `manage.py verify_draw ID` re-runs the draw.",
    )

    def validate_seed(self, value):
        raise serializers.ValidationError(
            "The seed is chosen by the server so that nobody can steer the draw; leave it out. "
            "It is recorded with the draw, which `manage.py verify_draw` re-runs."
        )


class DipSampleScheduleReasonInputSerializer(serializers.Serializer):
    schedule = VisiblePrimaryKeyRelatedField(queryset=Schedule.objects.select_related("case"))
    reason = serializers.CharField(max_length=2000)


class DipSampleEligibleOutputSerializer(serializers.Serializer):
    force = serializers.CharField()
    stream = serializers.CharField()
    period = serializers.DictField(child=serializers.DateField(), help_text="{from, to}")
    count = serializers.IntegerField(help_text="Schedules eligible now.")
    cap = serializers.IntegerField(help_text="The largest size a draw may take now.")
    rule = serializers.CharField()
    drawn_from = serializers.ListField(
        child=serializers.IntegerField(), allow_null=True, help_text="Sorted ids the draw picked from, once drawn."
    )


# The shape of a sampled schedule in the schema; DipSampleOutputSerializer writes them from plain rows.
class SampledScheduleOutputSerializer(serializers.ModelSerializer):
    assessable = serializers.SerializerMethodField()

    class Meta:
        model = SampledSchedule
        fields = ["schedule", "position", "method", "reason", "assessable", "not_assessable_reason"]
        read_only_fields = fields

    def get_assessable(self, sampled) -> bool:
        return not sampled.not_assessable_reason


class DipSampleReopenInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DipSampleListOutputSerializer(LeanListSerializer):
    """A page of dip samples: the sampled schedules of all of them read in one query, as plain rows."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        sampled = sampled_by_dip_sample([row.pk for row in rows])
        for row in rows:
            row.sampled_rows = sampled[row.pk]
        return super().to_representation(rows)


class DipSampleOutputSerializer(serializers.ModelSerializer):
    force = OrganisationCodeField(source="force_code")
    area = OrganisationCodeField(source="area_code")
    # Usernames are columns of the row (disclosure.selectors.dip_sample_rows): no user object per name.
    cps_lead = serializers.CharField(source="cps_lead_username", read_only=True, allow_null=True)
    police_lead = serializers.CharField(source="police_lead_username", read_only=True, allow_null=True)
    cps_signed_off_by = serializers.CharField(source="cps_signed_off_by_username", read_only=True, allow_null=True)
    police_signed_off_by = serializers.CharField(
        source="police_signed_off_by_username", read_only=True, allow_null=True
    )
    selection = serializers.SerializerMethodField(help_text="Ids of the sampled schedules, in draw order.")
    sampled = serializers.SerializerMethodField(
        help_text="Each sampled schedule: drawn at random or added by hand, assessable."
    )
    assessment_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = DipSample
        fields = [
            "id",
            "force",
            "area",
            "stream",
            "period_start",
            "period_end",
            "status",
            "cps_lead",
            "police_lead",
            "size",
            "seed",
            "eligible_count",
            "drawn_at",
            "draw_count",
            "selection",
            "sampled",
            "assessment_count",
            "completed_at",
            "cps_signed_off_by",
            "cps_signed_off_at",
            "police_signed_off_by",
            "police_signed_off_at",
            "reopened_at",
            "reopen_reason",
            "overlap_reason",
            "row_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

        list_serializer_class = DipSampleListOutputSerializer

    def _sampled(self, dip_sample) -> list[dict]:
        rows = getattr(dip_sample, "sampled_rows", None)
        if rows is None:  # one sample (detail, writes): its sampled schedules alone
            rows = dip_sample.sampled_rows = sampled_by_dip_sample([dip_sample.pk])[dip_sample.pk]
        return rows

    def get_selection(self, dip_sample) -> list[int]:
        return [sampled["schedule"] for sampled in self._sampled(dip_sample)]

    @extend_schema_field(SampledScheduleOutputSerializer(many=True))
    def get_sampled(self, dip_sample) -> list[dict]:
        return self._sampled(dip_sample)


# --- assessments and defects -------------------------------------------------------------


class AnswerInputSerializer(serializers.Serializer):
    criterion = serializers.CharField(max_length=16, help_text="Criterion code of the checklist version, e.g. N1.")
    result = serializers.ChoiceField(choices=CriterionResult.choices)


# The shape of an answer in the schema; AssessmentOutputSerializer writes answers from plain rows.
class AnswerOutputSerializer(serializers.ModelSerializer):
    criterion = serializers.CharField(source="criterion.code", read_only=True)

    class Meta:
        model = AssessmentAnswer
        fields = ["criterion", "result"]
        read_only_fields = fields


class AssessmentListOutputSerializer(LeanListSerializer):
    """A page of assessments: the answers of all of them read in one query, as plain rows."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        answers = answers_by_assessment([row.pk for row in rows])
        for row in rows:
            row.answer_rows = answers[row.pk]
        return super().to_representation(rows)


class AssessmentCreateInputSerializer(serializers.Serializer):
    dip_sample = VisiblePrimaryKeyRelatedField(queryset=DipSample.objects.all())
    schedule = VisiblePrimaryKeyRelatedField(queryset=Schedule.objects.select_related("case"))
    answers = AnswerInputSerializer(
        many=True, help_text="One answer per criterion that applies to the schedule's kind; they give the rating."
    )
    rating = serializers.ChoiceField(
        choices=Rating.choices, required=False, help_text="Optional: computed from the answers; must agree with them."
    )
    drs_complete = serializers.BooleanField()
    prosecutor_fed_back = serializers.BooleanField(default=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class AssessmentUpdateInputSerializer(RowVersionInputMixin):
    rating = serializers.ChoiceField(
        choices=Rating.choices, required=False, help_text="Computed from the answers; must agree with them."
    )
    answers = AnswerInputSerializer(many=True, required=False)
    drs_complete = serializers.BooleanField(required=False)
    prosecutor_fed_back = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class AssessmentOutputSerializer(serializers.ModelSerializer):
    force = OrganisationCodeField(source="force_code")
    area = OrganisationCodeField(source="area_code")
    # Columns of the row (disclosure.selectors.assessment_list): no schedule, checklist or user object.
    checklist_version = serializers.IntegerField(read_only=True)
    schedule_kind = serializers.CharField(read_only=True)
    answers = serializers.SerializerMethodField()
    assessed_by = serializers.CharField(source="assessed_by_username", read_only=True)
    defect_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "dip_sample",
            "schedule",
            "schedule_kind",
            "force",
            "area",
            "checklist_version",
            "rating",
            "answers",
            "drs_complete",
            "prosecutor_fed_back",
            "notes",
            "assessed_by",
            "defect_count",
            "row_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = AssessmentListOutputSerializer

    @extend_schema_field(AnswerOutputSerializer(many=True))
    def get_answers(self, assessment) -> list[dict[str, str]]:
        answers = getattr(assessment, "answer_rows", None)
        if answers is None:  # one assessment (detail, writes): its answers alone
            answers = answers_by_assessment([assessment.pk])[assessment.pk]
        return answers


class DefectCreateInputSerializer(serializers.Serializer):
    assessment = VisiblePrimaryKeyRelatedField(queryset=Assessment.objects.select_related("dip_sample"))
    category = serializers.SlugRelatedField(slug_field="code", queryset=DefectCategory.objects.all())
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, help_text="Default: the category's.")
    item_reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=5000)


class DefectUpdateInputSerializer(RowVersionInputMixin):
    category = serializers.SlugRelatedField(slug_field="code", queryset=DefectCategory.objects.all(), required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    item_reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False)


class DefectOutputSerializer(serializers.ModelSerializer):
    force = OrganisationCodeField(source="force_code")
    area = OrganisationCodeField(source="area_code")
    # Columns of the row (disclosure.selectors.defect_list): no assessment or category object.
    dip_sample = serializers.IntegerField(source="dip_sample_id", read_only=True)
    category = serializers.CharField(source="category_code", read_only=True)
    category_name = serializers.CharField(read_only=True)
    side = serializers.CharField(source="category_side", read_only=True)

    class Meta:
        model = Defect
        fields = [
            "id",
            "assessment",
            "dip_sample",
            "force",
            "area",
            "category",
            "category_name",
            "side",
            "severity",
            "item_reference",
            "description",
            "row_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = LeanListSerializer
