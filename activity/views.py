from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone

from partners.access import requires
from partners.roles import Action

from .selectors import event_list

DEFAULT_RANGE = timedelta(days=30)
PAGE_SIZE = 50


@requires(Action.VIEW_ACTIVITY_LOG)
def activity_log_view(request):
    end = timezone.now()
    events = list(event_list(start=end - DEFAULT_RANGE, end=end)[:PAGE_SIZE])
    return render(request, "activity/log.html", {"events": events})
