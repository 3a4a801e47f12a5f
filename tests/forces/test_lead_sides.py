"""``lead_sides_for_forces`` answers ``lead_side_for_force`` for many forces and streams in one query."""

import pytest

from feedback.admin_forms import feedback_targets
from forces.models import Membership, Organisation, OrganisationKind, Role, Side, Stream
from forces.selectors import lead_side_for_force, lead_sides_for_forces
from tests.conftest import CAST
from tests.factories import ForceFactory


@pytest.mark.parametrize("who", [name for name in CAST if name != "nobody"])
def test_it_gives_each_force_and_stream_the_side_lead_side_for_force_gives(world, who):
    user = getattr(world, who)
    forces = list(Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE))
    expected = {
        (force.pk, stream): side
        for force in forces
        for stream in Stream.values
        if (side := lead_side_for_force(user=user, force=force, stream=stream)) is not None
    }
    assert lead_sides_for_forces(user=user, forces=forces) == expected


def test_an_all_streams_lead_of_an_area_leads_every_stream_of_its_forces_for_the_cps(world):
    Membership.objects.create(user=world.nobody, organisation=world.nw, role=Role.DISCLOSURE_LEAD, stream=None)
    sides = lead_sides_for_forces(user=world.nobody, forces=[world.gmp, world.kent])
    assert sides == {(world.gmp.pk, stream): Side.CPS for stream in Stream.values}


def test_the_forces_a_cps_lead_may_draft_feedback_to_cost_two_queries_however_many_forces(world, count_queries):
    with count_queries() as before:
        targets = feedback_targets(user=world.cps_lead)
    for n in range(4):
        ForceFactory(code=f"NW{n}", name=f"North West force {n}", area=world.nw)
    with count_queries() as after:
        more = feedback_targets(user=world.cps_lead)
    assert len(before) == len(after) == 2
    # The CC lead of CPS-NW drafts to every force of the Area, new ones included, in its stream only.
    assert {stream for _, stream in more} == {Stream.CC}
    assert len(more) == len(targets) + 4
