"""Free text is screened for victims' and witnesses' personal data before anything is written."""

import pytest

from disclosure.models import Assessment, Defect, DipSample


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Witness mobile 07700 900123 listed at item 4", "UK phone number"),
        ("Item 6 names the victim's address, 12 Acacia Avenue", "street address"),
        ("Contact at someone@example.org on the MG6C", "e-mail address"),
        ("DOB 12/05/1990 shown against item 2", "date of birth"),
    ],
)
def test_a_defect_description_with_personal_data_is_refused(world, client_for, rows, text, found):
    before = Defect.objects.count()
    response = client_for(world.cps_lead).post(
        "/api/v1/defects/", {"assessment": rows["GMP"].assessment.pk, "category": "X03", "description": text}
    )
    assert response.status_code == 400
    message = response.json()["fields"]["description"][0]
    assert found in message
    assert Defect.objects.count() == before


def test_a_personal_data_message_does_not_repeat_the_data(world, client_for, rows):
    response = client_for(world.cps_lead).post(
        "/api/v1/defects/",
        {"assessment": rows["GMP"].assessment.pk, "category": "X03", "description": "Call 07700 900123"},
    )
    assert "07700 900123" not in response.content.decode()


def test_item_references_and_notes_are_screened_too(world, client_for, rows):
    client = client_for(world.cps_lead)
    response = client.post(
        "/api/v1/defects/",
        {
            "assessment": rows["GMP"].assessment.pk,
            "category": "D05",
            "item_reference": "held at M1 1AE",
            "description": "Location not stated.",
        },
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["item_reference"]
    patch = client.patch(
        f"/api/v1/assessments/{rows['GMP'].assessment.pk}/",
        {"notes": "OIC on 0161 496 0000", "row_version": 1},
        format="json",
    )
    assert patch.status_code == 400
    assert list(patch.json()["fields"]) == ["notes"]
    assert Assessment.objects.get(pk=rows["GMP"].assessment.pk).notes == ""


def test_a_reopen_reason_is_screened(world, client_for, rows):
    response = client_for(world.cps_admin).post(
        f"/api/v1/dip-samples/{rows['GMP'].signed_off.pk}/reopen/", {"reason": "Victim born 3 March 1990 named"}
    )
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert DipSample.objects.get(pk=rows["GMP"].signed_off.pk).status == "signed_off"


@pytest.mark.parametrize(
    "text",
    [
        "MG6C item 12 described only as 'statement'.",
        "CCTV from 14:05 not scheduled; MG6E silent on it.",
        "Items 3-7 block listed as 'various documents'.",
        "Schedule received 12/03/2024, 4 days late.",
        "URN 06AB1234525 MG6D nil return not signed.",
    ],
)
def test_ordinary_disclosure_prose_is_accepted(world, client_for, rows, text):
    response = client_for(world.cps_lead).post(
        "/api/v1/defects/", {"assessment": rows["GMP"].assessment.pk, "category": "D01", "description": text}
    )
    assert response.status_code == 201, response.json()
