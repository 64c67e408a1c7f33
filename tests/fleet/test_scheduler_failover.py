"""Two beats beside each other (RedBeat): one sends at a time; killed, the standby takes over once
the lock runs out, and no periodic task is sent twice in a period, before or after.

tests/fleet/settings.py sends the cancellation reconciler every 2 s, the link sweep every 3 s and
the month close every 4 s (in production: every minute, quarter-hour, and on the 1st), with a
lock of 5 s renewed every second.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

import pytest
import redis

from tests.faults import servers
from tests.fleet import settings as fleet_settings
from tests.waiting import wait_until

pytestmark = pytest.mark.fleet
PERIODS = {
    name: entry["schedule"] for name, entry in fleet_settings.CELERY_BEAT_SCHEDULE.items()
}
LOCK_KEY = fleet_settings.CELERY_REDBEAT_KEY_PREFIX + ":lock"
_SENT = re.compile(
    r"^\[(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): INFO/MainProcess\] "
    r"Scheduler: Sending due task (?P<name>[\w-]+) "
)
# Generous for a loaded CI machine: a beat's start-up, then the lock running out.
TIMEOUT = 90


def _sends(beat) -> list[tuple[datetime, str]]:
    sends = []
    for line in beat.log.read_text(errors="replace").splitlines():
        match = _SENT.match(line)
        if match:
            at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S,%f")
            sends.append((at, match["name"]))
    return sends


def _sent_each(beat, times: int) -> bool:
    counts = defaultdict(int)
    for _at, name in _sends(beat):
        counts[name] += 1
    return all(counts[name] >= times for name in PERIODS)


def _has_logged(beat, text: str) -> bool:
    return text in beat.log.read_text(errors="replace")


def test_the_standby_beat_takes_over_and_no_task_is_sent_twice_in_a_period(tmp_path):
    processes = servers.Processes(tmp_path)
    with servers.private_redis() as redis_server:
        env = servers.portal_env(
            database_url="postgres://postgres@127.0.0.1:1/unused",
            redis_url=redis_server.url,
            var_dir=tmp_path / "var",
            DJANGO_SETTINGS_MODULE="tests.fleet.settings",
            PORTAL_TEST_DB="postgresql",
        )
        try:
            active = processes.beat(env, name="beat-1")
            wait_until(lambda: _sent_each(active, 1), timeout=TIMEOUT, interval=0.2)
            standby = processes.beat(env, name="beat-2")
            wait_until(lambda: _has_logged(standby, "beat: Starting"), timeout=TIMEOUT)
            sent_alone = len(_sends(active))
            # Both run for a few periods: only the lock's holder sends.
            wait_until(lambda: len(_sends(active)) >= sent_alone + 6, timeout=TIMEOUT)
            assert _sends(standby) == []
            lock_ttl_ms = redis.Redis.from_url(redis_server.url).pttl(LOCK_KEY)
            assert 0 < lock_ttl_ms <= fleet_settings.CELERY_REDBEAT_LOCK_TIMEOUT * 1000

            active.kill()
            wait_until(lambda: _sent_each(standby, 2), timeout=TIMEOUT, interval=0.2)
        finally:
            processes.stop_all()
            processes.report()

    before, after = _sends(active), _sends(standby)
    assert before[-1][0] < after[0][0], "the beats never sent at the same time"
    takeover = (after[0][0] - before[-1][0]).total_seconds()
    print(f"standby's first send {takeover:.1f} s after the killed beat's last")
    by_task = defaultdict(list)
    for at, name in before + after:
        by_task[name].append(at)
    assert set(by_task) == set(PERIODS)
    for name, times in by_task.items():
        gaps = [
            (later - earlier).total_seconds()
            for earlier, later in zip(times, times[1:], strict=False)
        ]
        # Log lines have millisecond stamps; the next run is due a whole period after the last.
        assert min(gaps) >= PERIODS[name] - 0.002, (name, gaps)
