from django.db import migrations
from django.utils import timezone

# The defect taxonomy of docs/domain.md and checklist version 1, copied here so that this
# migration means the same thing forever. Later versions arrive in migrations of their own.


#: (code, name, side, default severity)
DEFECT_CATEGORIES = [
    ("S01", "Schedule missing (MG6C, MG6D nil return, MG6E or SDC not supplied)", "police", "significant"),
    ("S02", "Schedule not signed or dated", "police", "minor"),
    ("S03", "Wrong format (SDC where MG6 series required, or the reverse)", "police", "significant"),
    ("D01", "Item description insufficient to decide whether to inspect", "police", "significant"),
    ("D02", "Inappropriate block / generic listing", "police", "significant"),
    ("D03", "Unexplained abbreviations or jargon", "police", "minor"),
    ("D04", "Items not numbered consecutively", "police", "minor"),
    ("D05", "Location of item not stated", "police", "minor"),
    ("C01", "Relevant item omitted from the schedules", "police", "critical"),
    ("C02", "Rebuttable-presumption material not revealed", "police", "critical"),
    ("C03", "No digital / third-party strategy (IMD, DMD) where required", "police", "significant"),
    ("X01", "Sensitive item listed on the MG6C", "police", "critical"),
    ("X02", "Sensitivity wrongly claimed on MG6D, or no reason given", "police", "significant"),
    ("X03", "Personal data of a victim or witness in a disclosable description", "police", "critical"),
    ("E01", "MG6E missing, or nil without explanation", "police", "significant"),
    ("E02", "Undermining / assisting material not identified on the MG6E", "police", "critical"),
    ("T01", "Schedules supplied late", "police", "significant"),
    ("P01", "Prosecutor endorsed schedule without recorded reasoning", "cps", "significant"),
    ("P02", "Defective schedule accepted rather than challenged", "cps", "significant"),
    ("P03", "Decisions or actions missing from the DRS", "cps", "significant"),
    ("P04", "No feedback given to police on a defective schedule", "cps", "significant"),
]

ALL_SCHEDULES = ["mg6c", "mg6d", "mg6e", "sdc", "dmd"]

#: Checklist version 1: (code, text, applies_to). "drs" marks criteria about the CPS disclosure
#: record sheet, which is rated alongside every schedule of the case.
CHECKLIST_V1_TITLE = "Joint CPS-police unused material checklist"
CHECKLIST_V1 = [
    ("N1", "Every item is numbered consecutively, continuing across continuation schedules", ["mg6c", "mg6d"]),
    (
        "N2",
        "Each item is described individually and clearly enough for the prosecutor to decide whether to inspect it",
        ["mg6c", "mg6d"],
    ),
    ("N3", "No unjustified block or generic listing", ["mg6c", "mg6d"]),
    ("N4", "No unexplained abbreviations or jargon", ["mg6c", "mg6d", "mg6e"]),
    ("N5", "Where each item is held is stated", ["mg6c", "mg6d"]),
    ("N6", "Signed and dated by the disclosure officer", ["mg6c", "mg6d", "mg6e", "sdc"]),
    (
        "N7",
        "No sensitive material and no personal data of victims or witnesses on a disclosable schedule",
        ["mg6c", "sdc"],
    ),
    ("N8", "All relevant material revealed, including material presumed to meet the test", ["mg6c", "mg6d", "sdc"]),
    ("S1", "Each sensitive item gives the reason it is sensitive, or a signed nil return is supplied", ["mg6d"]),
    (
        "E1",
        "Material that might undermine the prosecution or assist the accused is identified, with reasons and copies",
        ["mg6e"],
    ),
    ("E2", "A nil MG6E explains why nothing meets the test", ["mg6e"]),
    ("F1", "The right format: SDC only for expected not-guilty pleas kept in the magistrates' court", ["sdc", "mg6c"]),
    ("M1", "The disclosure strategy covers digital and third-party material and reasonable lines of enquiry", ["dmd"]),
    ("T1", "Supplied on time", ALL_SCHEDULES),
    ("R1", "The DRS records receipt of each schedule", ["drs"]),
    ("R2", "The DRS records the prosecutor's decision on each numbered item, with reasons", ["drs"]),
    ("R3", "The DRS records every disclosure made, the defence statement and what followed", ["drs"]),
]


def seed(apps, schema_editor):
    DefectCategory = apps.get_model("disclosure", "DefectCategory")
    Checklist = apps.get_model("disclosure", "Checklist")
    Criterion = apps.get_model("disclosure", "Criterion")
    for code, name, side, severity in DEFECT_CATEGORIES:
        DefectCategory.objects.update_or_create(
            code=code, defaults={"name": name, "side": side, "default_severity": severity}
        )
    if not Checklist.objects.filter(version=1).exists():
        checklist = Checklist.objects.create(version=1, title=CHECKLIST_V1_TITLE, published_at=timezone.now())
        Criterion.objects.bulk_create(
            Criterion(checklist=checklist, code=code, text=text, applies_to=applies_to, position=position)
            for position, (code, text, applies_to) in enumerate(CHECKLIST_V1, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
