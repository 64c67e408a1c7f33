from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.cached_rows import versions_renew_now_and_on_commit

from .models import Customer
from .selectors import customer_version_key


# Signals, not the services: the admin site saves customers too. The tenant GUID never changes,
# so the copy a save makes stale is the one under its current GUID.
@receiver(post_save, sender=Customer)
@receiver(post_delete, sender=Customer)
def customer_changed(sender, instance, **kwargs):
    versions_renew_now_and_on_commit(
        [customer_version_key(instance.partner_id, instance.entra_tenant_id)]
    )
