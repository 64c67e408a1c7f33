from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .events import webhook_subscriptions_changed
from .models import Endpoint


# Signals, not the services: the admin site saves endpoints too.
@receiver(post_save, sender=Endpoint)
@receiver(post_delete, sender=Endpoint)
def endpoint_changed(sender, instance, **kwargs):
    webhook_subscriptions_changed(partner_id=instance.partner_id)
