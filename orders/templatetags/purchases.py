from django import template

from orders.links import cancellation_support_request_url

register = template.Library()


@register.simple_tag
def support_request_url(customer, purchase) -> str:
    """{% support_request_url customer purchase %}: the pre-filled customer support request."""
    return cancellation_support_request_url(customer=customer, purchase=purchase)
