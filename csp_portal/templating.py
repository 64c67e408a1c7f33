"""The Jinja2 environment of the portal's own pages (Django's Jinja2 backend, settings.TEMPLATES).

Jinja2 renders the same table in less than half the CPU of Django's engine. What Django's engine
did implicitly is done here once: translations through Django's catalogues (the `{% trans %}`
block and `_()`), datetimes in the viewer's time zone and numbers in the language's format when
printed, and the portal's filters.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from functools import cache, lru_cache
from uuid import UUID

from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.formats import localize
from django.utils.timezone import get_current_timezone_name, template_localtime
from django_countries import countries
from jinja2 import ChainableUndefined, Environment, pass_context
from markupsafe import Markup

from core.roles import Action, user_can
from core.templatetags.money import money
from invoices.templatetags.invoice_format import (
    long_date,
    market_name,
    medium_date,
    month_short,
    month_year,
    rate,
)
from orders.templatetags.purchases import support_request_url

_LOCALIZED = (datetime, date, time, Decimal, float)


def _finalize(value):
    # Django's engine prints datetimes in the viewer's time zone and numbers in their language.
    if isinstance(value, _LOCALIZED):
        return localize(template_localtime(value))
    return value


# Named formats that print the day only, whatever the language (no time specifiers).
_DAY_FORMATS = frozenset({"DATE_FORMAT", "SHORT_DATE_FORMAT"})


@lru_cache(maxsize=4096)
def _day_formatted(day: date, format_name: str, language: str | None) -> str:
    # Called with `language` active: the key says which language the text is in.
    return defaultfilters.date(day, format_name)


def _date(value, arg=None):
    local = template_localtime(value)
    if isinstance(local, date):
        if arg == "c":
            return local.isoformat()  # Django's "c", without reading a format
        if arg in _DAY_FORMATS:
            # A table's rows share few days: each is formatted once per language, not per row.
            day = local.date() if isinstance(local, datetime) else local
            return _day_formatted(day, arg, translation.get_language())
    return defaultfilters.date(local, arg)


@cache
def _choice_labels(model, field_name: str, language: str) -> dict:
    with translation.override(language):
        return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


def choice_label(instance, field_name: str) -> str:
    """{{ purchase|choice_label("status") }}: get_status_display(), translated once per language."""
    value = getattr(instance, field_name)
    labels = _choice_labels(type(instance), field_name, translation.get_language() or "en")
    return labels.get(value, value)


# A template's messages looked up once per language (as country names and choice labels are):
# a table asks for the same few in every row, and each of Django's lookups walks its fallbacks.
@lru_cache(maxsize=8192)
def _gettext_in(language: str | None, message: str) -> str:
    return translation.gettext(message)


@lru_cache(maxsize=8192)
def _ngettext_in(language: str | None, singular: str, plural: str, number) -> str:
    return translation.ngettext(singular, plural, number)


def _gettext(message: str) -> str:
    return _gettext_in(translation.get_language(), message)


def _ngettext(singular: str, plural: str, number) -> str:
    return _ngettext_in(translation.get_language(), singular, plural, number)


def _translate(message: str) -> Markup:
    return Markup(_gettext(message))  # noqa: S704 - the portal's own words


def _unlocalize(value):
    # SVG coordinates must keep the dot whatever the language ({% localize off %} in Django).
    return str(value)


def can(user, action: str) -> bool:
    """{% if user|can("buy_software") %}: the permission table decides, as on the server."""
    return user_can(user, Action(action))


def url(name: str, *args, **kwargs) -> str:
    """Reverse a URL name with positional or keyword arguments."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


# Stand-ins for a row's id in url_for_rows: a value each path converter accepts and no URL
# contains by chance.
_ROW_ID_STAND_INS = (987654321987, UUID("9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"))


class RowUrl:
    """A URL reversed once per page, then completed with each row's id (the last argument)."""

    def __init__(self, name: str, *args):
        for stand_in in _ROW_ID_STAND_INS:
            try:
                path = reverse(name, args=[*args, stand_in])
            except NoReverseMatch:
                continue
            self.head, _, self.tail = path.partition(str(stand_in))
            return
        raise NoReverseMatch(f"{name} takes neither a number nor a UUID as its last argument")

    def __call__(self, row_id) -> str:
        return f"{self.head}{row_id}{self.tail}"


@pass_context
def rendered_once(context, owner, template_name: str, **values) -> Markup:
    """Render a fragment once for an owner that keeps it (`owner.rendered`, e.g. a cached
    catalogue), then give the kept HTML; render each time for an owner without that room."""
    kept = getattr(owner, "rendered", None)
    key = (template_name, translation.get_language())
    if kept is not None and key in kept:
        return kept[key]
    template = context.environment.get_template(template_name)
    html = Markup(template.render({**context.get_all(), **values}))  # noqa: S704 - autoescaped
    if kept is not None:
        kept[key] = html
    return html


@cache
def _country_names(language: str) -> dict[str, str]:
    with translation.override(language):
        return {code: str(name) for code, name in countries}


def country_name(country) -> str:
    """Name a Country (or a country code) in the active language, translated once per language."""
    code = getattr(country, "code", country)
    return _country_names(translation.get_language() or "en").get(code, "")


def _localize_trans_variables(env: Environment) -> None:
    # {% trans rate=market.tax_rate_percent %} writes "10,00" in Italian, as blocktranslate did.
    gettext, ngettext = env.globals["gettext"], env.globals["ngettext"]

    @pass_context
    def localized_gettext(context, string, **variables):
        return gettext(context, string, **{k: _finalize(v) for k, v in variables.items()})

    @pass_context
    def localized_ngettext(context, singular, plural, number, **variables):
        variables = {k: _finalize(v) for k, v in variables.items()}
        return ngettext(context, singular, plural, number, **variables)

    env.globals.update(gettext=localized_gettext, ngettext=localized_ngettext)


def environment(**options) -> Environment:
    """Build the portal's Jinja2 environment."""
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    # Missing values print as nothing, as in Django's engine, instead of raising mid-page.
    options["undefined"] = ChainableUndefined
    options.pop("autoescape", None)
    env = Environment(autoescape=True, finalize=_finalize, **options)
    env.install_gettext_callables(
        gettext=_gettext,
        ngettext=_ngettext,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
        newstyle=True,
    )
    _localize_trans_variables(env)
    env.globals.update(
        # {{ _("…") }} prints the translation of a template's own text unescaped, as Django's
        # {% translate %} did, and leaves a "%" alone (the newstyle one would %-format it).
        _=_translate,
        url=url,
        url_for_rows=RowUrl,
        rendered_once=rendered_once,
        static=static,
        get_language=translation.get_language,
        get_current_timezone_name=get_current_timezone_name,
        support_request_url=support_request_url,
    )
    env.filters.update(
        money=money,
        can=can,
        date=_date,
        default=defaultfilters.default,
        default_if_none=defaultfilters.default_if_none,
        stringformat=defaultfilters.stringformat,
        linebreaksbr=defaultfilters.linebreaksbr,
        add=defaultfilters.add,
        timesince=defaultfilters.timesince_filter,
        filesizeformat=defaultfilters.filesizeformat,
        urlencode=defaultfilters.urlencode,
        unlocalize=_unlocalize,
        long_date=long_date,
        medium_date=medium_date,
        month_short=month_short,
        month_year=month_year,
        rate=rate,
        market_name=market_name,
        country_name=country_name,
        choice_label=choice_label,
    )
    return env
