from django.shortcuts import render

from partners.access import requires
from partners.roles import Action


@requires(Action.FILE_SUPPORT_REQUESTS)
def request_list_view(request):
    return render(request, "support/request_list.html")


@requires(Action.TRIAGE_SUPPORT_REQUESTS)
def queue_view(request):
    return render(request, "support/queue.html")
