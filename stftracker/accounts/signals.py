"""A new password revokes the user's API tokens, whichever way it was set: the password change
page, a reset, the admin, or ``set_password()`` and ``save()`` in code (connected in
``StftrackerConfig.ready``).

A token is a second password; one made with the old password must not outlive it. A stored hash
that Django upgrades on log-in (a newer hasher, more iterations) is the same password and
leaves the tokens alone.
"""
from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .tokens import revoke_user_tokens

_OLD_HASH = "_stf_stored_password"


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="stftracker.accounts.stored_password")
def _remember_stored_password(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    setattr(instance, _OLD_HASH, stored)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="stftracker.accounts.revoke_tokens")
def _revoke_tokens_on_new_password(sender, instance, created, **kwargs):
    stored = instance.__dict__.pop(_OLD_HASH, None)
    if created or stored is None or stored == instance.password:
        return
    # Django keeps the raw password on the user between set_password() and save(); a hash
    # upgraded on log-in has none, and stays usable.
    new_password = getattr(instance, "_password", None) is not None
    if new_password or not instance.has_usable_password():
        revoke_user_tokens(user=instance)
