from django.db import migrations

#: Checklist v1 criteria whose failure could cause a miscarriage of justice or a failed trial
#: (docs/domain.md's critical defects): N7 ~ X01/X03, N8 ~ C01/C02, E1 ~ E02. Written out here so
#: that this migration means the same thing forever.
CHECKLIST_V1_CRITICAL = ["N7", "N8", "E1"]


def mark_critical(apps, schema_editor):
    Criterion = apps.get_model("disclosure", "Criterion")
    # ``update``, not ``save``: the historical model has no edit guard, and this sets a new
    # column's value for a published version rather than changing what the version says.
    Criterion.objects.filter(checklist__version=1, code__in=CHECKLIST_V1_CRITICAL).update(is_critical=True)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0004_dip_sample_integrity")]

    operations = [migrations.RunPython(mark_critical, migrations.RunPython.noop)]
