"""Demo organisations and users (docs/architecture.md "Demo data"). Idempotent: a second run changes nothing."""

import hashlib
import hmac
import json
from pathlib import Path

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


def _seal(password: str, encoded_hash: str) -> str:
    """A cheap mark that ``encoded_hash`` (a user's stored hash) was set from ``password`` by this seeder."""
    return hmac.new(password.encode(), encoded_hash.encode(), hashlib.sha256).hexdigest()


def _user(username: str, password: str, known: dict[str, str] | None = None, **extra):
    """The demo user, created or put back to the demo password and address.

    ``known`` maps usernames to ``_seal(password, hash)`` of the hash this seeder last set or checked:
    a user whose stored hash still carries the seal for this password is unchanged, and is not checked
    again (``check_password`` is slow by design: a second run spent about 20 s checking the 21 demo
    users). Any other (a new demo password, a password changed since, another database) is checked.
    """
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    email = f"{username}@{EMAIL_DOMAIN}"
    if user is None:
        user = services.user_create(username=username, password=password, email=email, **extra)
    else:
        if not user.email:
            user.email = email
            user.save(update_fields=["email"])
        sealed = known is not None and hmac.compare_digest(known.get(username, ""), _seal(password, user.password))
        if not sealed and not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
    if known is not None:
        known[username] = _seal(password, user.password)
    return user


def load_seals(path: Path | None) -> dict[str, str] | None:
    """The seals ``_user`` keeps between runs (``settings.DEMO_SEED_STATE_FILE``); None when not kept."""
    if path is None:
        return None
    try:
        seals = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return seals if isinstance(seals, dict) else {}


def save_seals(path: Path | None, seals: dict[str, str] | None) -> None:
    if path is None or seals is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(seals, indent=1, sort_keys=True) + "\n")


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


def seed_organisations_and_users(*, password: str, stdout, seals: dict[str, str] | None = None) -> None:
    """The demo Area, forces and users; ``seals`` (``load_seals``) spares re-checking unchanged passwords."""
    admin = _user("admin", password, seals, is_superuser=True, is_staff=True)
    area = _organisation(*AREA, OrganisationKind.CPS_AREA)
    organisations = {"cps": area}
    for slug, (code, name) in FORCES.items():
        organisations[slug] = _organisation(code, name, OrganisationKind.POLICE_FORCE, area)

    for slug, organisation in organisations.items():
        for stream in Stream.values:
            lead = _user(f"{slug}-{stream}-lead", password, seals)
            _member(admin, lead, organisation, Role.DISCLOSURE_LEAD, stream)
        org_admin = _user(f"{slug}-admin", password, seals, is_staff=True)
        _member(admin, org_admin, organisation, Role.ORG_ADMIN)
        if slug in FORCES:
            _member(admin, _user(f"{slug}-chief", password, seals), organisation, Role.CHIEF_OFFICER)
    _member(admin, _user("cps-quality", password, seals, is_staff=True), area, Role.QUALITY_GROUP)
    stdout.write(f"Demo organisations: {', '.join(o.code for o in organisations.values())}; users: {len(demo_users())}")


def demo_summary() -> list[str]:
    """One line per kind of demo user: who they are and what they do (two queries)."""
    from collections import defaultdict

    User = get_user_model()
    roles: dict[str, list[str]] = defaultdict(list)
    for username, role, stream, code in Membership.objects.filter(user__username__in=demo_users()).values_list(
        "user__username", "role", "stream", "organisation__code"
    ):
        label = Role(role).label + (f" ({Stream(stream).label})" if stream else "") + f", {code}"
        roles[username].append(label)
    superusers = set(
        User.objects.filter(username__in=demo_users(), is_superuser=True).values_list("username", flat=True)
    )
    lines = []
    for username in demo_users():
        if username in superusers:
            lines.append(f"{username:<20} portal administrator (superuser)")
        elif roles.get(username):
            lines.append(f"{username:<20} {'; '.join(roles[username])}")
    return lines
