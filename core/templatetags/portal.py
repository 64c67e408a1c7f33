from django import template

from core.roles import Action, user_can

register = template.Library()


@register.filter
def can(user, action: str) -> bool:
    """{% if user|can:"buy_software" %}: the permission table decides, as on the server."""
    return user_can(user, Action(action))
