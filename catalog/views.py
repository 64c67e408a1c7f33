from django.shortcuts import render

from core.access import requires, signed_in
from core.roles import Action

from . import selectors
from .forms import CatalogueFilterForm


@requires(Action.BUY_SOFTWARE)
def catalogue_view(request):
    data = request.GET.copy()
    # A partner browses its own market first; the picker reaches every other one.
    country = data.get("country", "").strip() or request.user.partner.home_country.code
    data["country"] = country.upper()  # as the API, which takes "it" for "IT"
    form = CatalogueFilterForm(data, markets=selectors.market_choices())
    market, entries = None, []
    if form.is_valid():
        market = form.cleaned_data["country"]
        entries = selectors.catalogue_for_market(
            market=market, target_view=form.cleaned_data["targetView"],
            query=form.cleaned_data["q"],
        )
    return render(
        request, "catalog/catalogue.html", {"form": form, "market": market, "entries": entries}
    )


@signed_in
def reservation_markets_view(request):
    markets = selectors.reservation_unavailable_markets(country=request.GET.get("country", ""))
    return render(request, "catalog/reservation_markets.html", {"markets": markets})
