from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from forces.models import Membership, Organisation, Role, Stream
from forces.selectors import summaries_readable


class OrganisationOutputSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "area"]
        read_only_fields = fields


class MeMembershipOutputSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    organisation_kind = serializers.CharField(source="organisation.kind")

    class Meta:
        model = Membership
        fields = ["organisation", "organisation_name", "organisation_kind", "role", "stream"]
        read_only_fields = fields


class MeSummariesOutputSerializer(serializers.Serializer):
    forces = serializers.ListField(child=serializers.CharField(), help_text="Codes of forces whose summary you read.")
    comparisons = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of CPS Areas whose comparison of forces you read."
    )


class MeOutputSerializer(serializers.ModelSerializer):
    memberships = MeMembershipOutputSerializer(many=True)
    summaries = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    streams = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_superuser",
            "memberships",
            "roles",
            "streams",
            "summaries",
        ]
        read_only_fields = fields

    @extend_schema_field(MeSummariesOutputSerializer)
    def get_summaries(self, user) -> dict:
        """Where the summaries are: ``/organisations/{code}/summary/`` and ``/organisations/{area}/comparison/``."""
        return summaries_readable(user=user)

    def get_roles(self, user) -> list[str]:
        return sorted({m.role for m in user.memberships.all()})

    def get_streams(self, user) -> list[str]:
        """Streams covered as a disclosure lead; ``["mc", "cc", "rasso"]`` for an all-streams lead."""
        streams: set[str] = set()
        for membership in user.memberships.all():
            if membership.role == Role.DISCLOSURE_LEAD:
                streams.update([membership.stream] if membership.stream else Stream.values)
        return sorted(streams)


class AccountUnlockInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
