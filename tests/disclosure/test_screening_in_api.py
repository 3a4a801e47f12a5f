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
        # The bypasses of the security review: look-alike characters and spacing are folded first.
        ("Contact jane.exampleton\uff20example.org on the MG6C", "e-mail address"),
        ("Contact jane.exampleton [at] example [dot] org", "e-mail address"),
        ("Witness mobile 07700\u00a0900\u2013123 listed at item 4", "UK phone number"),
        ("Item 3 gives \uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13", "UK phone number"),
        ("Item 5 lists a US number, +1 202 555 0143", "a phone number"),
        ("Item 6 names the address as 12 high street", "street address"),
        ("Item 7: postcode pr1 2he", "UK postcode"),
        ("Item 8 NI number AB 123 456 C", "National Insurance number"),
        ("Item 9: born 3rd March 1990", "date of birth"),
        ("MG11 of the victim Jane Exampleton listed by name", "name after a role word"),
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


def test_a_full_width_at_sign_is_refused_naming_the_field_and_where(world, client_for, rows):
    text = "Item 4 lists jane.exampleton\uff20example.org"
    response = client_for(world.cps_lead).post(
        "/api/v1/defects/", {"assessment": rows["GMP"].assessment.pk, "category": "X03", "description": text}
    )

    assert response.status_code == 400
    body = response.content.decode()
    [message] = response.json()["fields"]["description"]
    # The offset counts the characters as typed: the e-mail starts at the 14th.
    assert "an e-mail address (ja" in message
    assert "at character 14." in message
    assert "exampleton" not in body
    assert "example.org" not in body


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
        "Witness Statement MG11 not listed; victim personal statement not scheduled.",
        "Witness Care Unit log and Victim Code letter not revealed.",
        "s.3 CPIA 1996: exhibit ABC/1 received 12/03/2025 at 14:05, not scheduled.",
    ],
)
def test_ordinary_disclosure_prose_is_accepted(world, client_for, rows, text):
    response = client_for(world.cps_lead).post(
        "/api/v1/defects/", {"assessment": rows["GMP"].assessment.pk, "category": "D01", "description": text}
    )
    assert response.status_code == 201, response.json()
