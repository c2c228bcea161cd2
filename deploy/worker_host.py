"""The host name an Airflow worker reports when several workers share one machine.

Airflow records on every task instance the host name of the worker that ran it
(``[core] hostname_callable``). In the native production set-up
(scripts/production_local.py) two Celery workers on one machine stand for two hosts, so each
names itself by ``PRESSMON_WORKER_HOST`` (a loopback address of its own: resolvable without
DNS). On real hosts and in containers the variable is unset and the machine's name is used.
"""

from __future__ import annotations

import os
import socket


def hostname() -> str:
    return os.environ.get("PRESSMON_WORKER_HOST") or socket.getfqdn()
