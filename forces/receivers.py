"""Account security, whatever path changes an account (admin forms, shell, services, management commands).

A changed password or a deactivated account ends every API token of the user; a deactivated
account also loses its object grants (a reactivated one gets back what its memberships give).
This is a cross-cutting security rule, not workflow, so it hangs on the user model's save
signals: Django's own password forms call ``set_password`` and ``save`` directly and no
service sees them.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from backend.querysets import forget_for_this_request
from forces import services
from forces.models import Membership, Organisation

User = get_user_model()

_WATCHED = {"password", "is_active"}


@receiver(pre_save, sender=User, dispatch_uid="forces.account_changes_noted")
def _note_account_changes(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._account_changes = set()
    if raw or instance.pk is None or (update_fields is not None and not _WATCHED & set(update_fields)):
        return  # a new account, a fixture load, or a save that cannot touch either (e.g. last_login)
    before = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password:
        instance._account_changes.add("password")
    if before["is_active"] and not instance.is_active:
        instance._account_changes.add("deactivated")
    elif instance.is_active and not before["is_active"]:
        instance._account_changes.add("reactivated")


@receiver(post_save, sender=User, dispatch_uid="forces.account_changes_applied")
def _apply_account_changes(sender, instance, raw=False, **kwargs):
    changes: set[str] = getattr(instance, "_account_changes", set())
    instance._account_changes = set()
    if changes & {"password", "deactivated"}:
        services.user_tokens_revoke(user=instance)
    if changes & {"deactivated", "reactivated"}:
        # Reactivated: the summary grants come back from the memberships; a sample's lead
        # grant comes back when the sample names them again.
        services.user_grants_sync(user=instance)


@receiver(post_save, sender=Membership, dispatch_uid="forces.memberships_changed_save")
@receiver(post_delete, sender=Membership, dispatch_uid="forces.memberships_changed_delete")
@receiver(post_save, sender=Organisation, dispatch_uid="forces.organisations_changed_save")
@receiver(post_delete, sender=Organisation, dispatch_uid="forces.organisations_changed_delete")
def _forget_what_the_request_derived_from_memberships(sender, **kwargs):
    """A request that changes who belongs where sees the change in its own later reads."""
    forget_for_this_request()
