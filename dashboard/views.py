from django.shortcuts import redirect, render
from django.utils import timezone

from core.access import signed_in
from core.roles import Action, user_can

from .selectors import dashboard_get


@signed_in
def home_view(request):
    # Operator support staff work from their queue; partner staff from what needs attention.
    if user_can(request.user, Action.TRIAGE_SUPPORT_REQUESTS):
        return redirect("support:queue")
    dashboard = dashboard_get(
        user=request.user, at=timezone.now(), currency_code=request.GET.get("currency", "")
    )
    return render(request, "dashboard/home.html", {"dashboard": dashboard})
