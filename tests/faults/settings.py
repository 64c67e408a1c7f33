"""The test settings, with the broker's and the beat's clocks shortened for the fault tests.

Redis hands an unacknowledged message (its worker died) to another worker only after the
visibility timeout: an hour in production, seconds here. The beat sends the cancellation
reconciler every second instead of every minute.
"""

from csp_portal.settings.test import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_BEAT_SCHEDULE = {
    "cancellations-reconcile": {"task": "orders.cancellations_reconcile", "schedule": 1.0},
}
