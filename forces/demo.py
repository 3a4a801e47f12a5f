"""Demo organisations and users (docs/architecture.md "Demo data"). Idempotent: a second run changes nothing."""

from django.contrib.auth import get_user_model

from forces import services
from forces.models import Membership, Organisation, OrganisationKind, Role, Stream

AREA = ("CPS-NW", "CPS North West")
#: Demo users' e-mail addresses are on a domain reserved for examples (RFC 2606): notices go nowhere real.
EMAIL_DOMAIN = "example.org"
FORCES = {
    "gmp": ("GMP", "Greater Manchester Police"),
    "lancs": ("LANCS", "Lancashire Constabulary"),
    "cumbria": ("CUMBRIA", "Cumbria Constabulary"),
}


def _organisation(code, name, kind, area=None) -> Organisation:
    existing = Organisation.objects.filter(code=code).first()
    return existing or services.organisation_create(code=code, name=name, kind=kind, area=area)


def _user(username: str, password: str, **extra):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    email = f"{username}@{EMAIL_DOMAIN}"
    if user is None:
        return services.user_create(username=username, password=password, email=email, **extra)
    if not user.email:
        user.email = email
        user.save(update_fields=["email"])
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def _member(actor, user, organisation, role, stream=None) -> None:
    if not Membership.objects.filter(user=user, organisation=organisation, role=role, stream=stream).exists():
        services.membership_create(actor=actor, user=user, organisation=organisation, role=role, stream=stream)


def demo_users() -> list[str]:
    """Every demo username, in the order they are created."""
    names = ["admin"]
    for org in ["cps", *FORCES]:
        names += [f"{org}-{stream}-lead" for stream in Stream.values]
    names += [f"{force}-chief" for force in FORCES]
    names += ["cps-quality", "cps-admin"] + [f"{force}-admin" for force in FORCES]
    return names


def seed_organisations_and_users(*, password: str, stdout) -> None:
    admin = _user("admin", password, is_superuser=True, is_staff=True)
    area = _organisation(*AREA, OrganisationKind.CPS_AREA)
    organisations = {"cps": area}
    for slug, (code, name) in FORCES.items():
        organisations[slug] = _organisation(code, name, OrganisationKind.POLICE_FORCE, area)

    for slug, organisation in organisations.items():
        for stream in Stream.values:
            lead = _user(f"{slug}-{stream}-lead", password)
            _member(admin, lead, organisation, Role.DISCLOSURE_LEAD, stream)
        org_admin = _user(f"{slug}-admin", password, is_staff=True)
        _member(admin, org_admin, organisation, Role.ORG_ADMIN)
        if slug in FORCES:
            _member(admin, _user(f"{slug}-chief", password), organisation, Role.CHIEF_OFFICER)
    _member(admin, _user("cps-quality", password, is_staff=True), area, Role.QUALITY_GROUP)
    stdout.write(f"Demo organisations: {', '.join(o.code for o in organisations.values())}; users: {len(demo_users())}")
