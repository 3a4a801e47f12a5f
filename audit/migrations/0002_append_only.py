"""The audit table is append-only in the database too (PostgreSQL).

A row-level BEFORE UPDATE OR DELETE trigger and a statement-level BEFORE TRUNCATE trigger
raise, whoever runs the statement: raw SQL, an ORM call that bypasses AuditEventQuerySet,
django-auditlog's ``auditlogflush`` (DELETE or TRUNCATE), or a ``TRUNCATE ... CASCADE``
of a table the log points at. SQLite (laptops, the default test run) gets no trigger: production and
CI run PostgreSQL. See docs/decisions/0008-audit-integrity.md.

The foreign keys auditlog declares with CASCADE (content type) and SET_NULL (actor) would
have Django rewrite or delete entries: they become PROTECT (no SQL: on_delete is Django's).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "audit_auditevent"

CREATE = f"""
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % on % is refused.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_event_no_update_or_delete
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""

DROP = f"""
DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS audit_event_no_update_or_delete ON {TABLE};
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: the SQL has literal % signs

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="content_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="content type",
            ),
        ),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP), elidable=False),
    ]
