"""The test settings with the fleet's clocks shortened, for the processes the fleet tests start.

Redis hands the message of a task whose worker died to another worker after the visibility
timeout (twenty minutes in production, seconds here). The beats send three periodic tasks every
few seconds instead of every minute, quarter-hour or month, and the lock a dead beat leaves
times out after seconds.
"""

from csp_portal.settings.test import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_BEAT_SCHEDULE = {
    "cancellations-reconcile": {"task": "orders.cancellations_reconcile", "schedule": 2.0},
    "download-links-expire": {"task": "software.download_links_expire", "schedule": 3.0},
    "invoices-month-close": {"task": "invoices.month_close", "schedule": 4.0},
}
CELERY_BEAT_MAX_LOOP_INTERVAL = 1
CELERY_REDBEAT_LOCK_TIMEOUT = 5
