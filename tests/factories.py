"""factory_boy factories. Every value is synthetic: no real person is named anywhere."""

import factory
from django.contrib.auth import get_user_model

from forces import services as forces_services
from forces.models import Organisation, OrganisationKind, Role

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CPS-T{n}")
    name = factory.LazyAttribute(lambda o: f"CPS test area {o.code}")
    kind = OrganisationKind.CPS_AREA
    area = None


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"F{n}")
    name = factory.LazyAttribute(lambda o: f"Test constabulary {o.code}")
    kind = OrganisationKind.POLICE_FORCE
    area = factory.SubFactory(AreaFactory)


def member(user, organisation, role=Role.DISCLOSURE_LEAD, stream=None):
    """Give ``user`` a membership through the service, so guardian grants follow as in production."""
    superuser = get_user_model().objects.filter(is_superuser=True).first() or UserFactory(
        username="factory-root", is_superuser=True, is_staff=True
    )
    return forces_services.membership_create(
        actor=superuser, user=user, organisation=organisation, role=role, stream=stream
    )
