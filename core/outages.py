"""A backing service that is down is a 503 with Retry-After, never a 500.

Django turns an exception into a response inside each middleware, so a middleware cannot catch
what the session or authentication middleware raise when the database is gone; the 500 handler
(core.views.server_error_view) sees every uncaught exception and asks `outage_of` here, and the
API's exception handler does the same for DRF views.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from .errors import Unavailable
from .health import broker_ok

# Long enough for a database restart or fail-over; clients that honour it do not hammer the portal.
RETRY_AFTER_SECONDS = 30

# Connection refused or lost, the pool's timeout (psycopg_pool.PoolTimeout is an
# OperationalError), and what the driver raises before Django wraps it. PostgreSQL's transient
# conflicts (deadlock, lock or statement timeout) are operational errors too: also worth a retry.
_DATABASE_DOWN = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


@dataclass(frozen=True)
class Outage:
    code: str
    detail: str


def outage_of(error: BaseException | None) -> Outage | None:
    """The outage an exception means, or None when it is a fault of the portal itself."""
    if isinstance(error, _DATABASE_DOWN):
        return Outage(
            "database_unavailable",
            _("The portal's database is unavailable at the moment. Please try again in a minute."),
        )
    if isinstance(error, BrokerError):
        return Outage(
            "background_unavailable",
            _("The portal's background service is not answering. Please try again in a minute."),
        )
    return None


class BackgroundUnavailable(Unavailable):
    code = "background_unavailable"


def broker_required() -> None:
    """Refuse, before anything is written, an action whose effect only a worker can carry out."""
    is_up, _detail = broker_ok()
    if not is_up:
        raise BackgroundUnavailable(
            _(
                "The portal's background service is not answering, so this cannot be done now. "
                "Nothing was changed; please try again in a minute."
            )
        )
