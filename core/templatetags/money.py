from django import template
from django.utils.translation import get_language

from core.money import format_money

register = template.Library()


@register.filter
def money(amount, currency_code: str) -> str:
    """{{ amount|money:"EUR" }} in the active language's format."""
    if amount is None or amount == "":
        return ""
    return format_money(amount, currency_code, get_language() or "en")
