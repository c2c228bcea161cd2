"""`make airflow`: the whole of pressmon in a local Airflow, on 127.0.0.1, offline.

Starts, in this order:
- the bundled sample corpus, served on loopback addresses by ``sample/siteserver.py``, and its
  ``sources.yaml`` rendered with the served URLs into ``data/local/``;
- a mail catcher on 127.0.0.1 (alerts and digests land as ``.eml`` files in
  ``data/local/mail/``), wired as the ``smtp_default`` connection, with alerts going to
  ``operators@localhost`` and the digest to ``communication@localhost`` (Airflow Variables);
- ``airflow standalone`` (API server with the UI, scheduler, DAG processor, triggerer) with
  the project's ``dags/`` and ``plugins/``, its home in ``data/local/airflow/`` (SQLite), the
  ``duckdb_writer`` pool created first, and ``PRESSMON_*`` pointing to ``data/local/``;
then prints the URL and the login, and stops everything on Ctrl-C (Airflow by its process
group, which holds every component and task it started).

    .venv/bin/python scripts/airflow_local.py [--port 8080] [--sites-port 0]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "sample"))  # the sample sites server
BIN = Path(sys.executable).parent
LOCAL = ROOT / "data" / "local"
SAMPLE = ROOT / "sample"
CONFIG = ROOT / "config"
HOST = "127.0.0.1"
POOL = ("duckdb_writer", "1", "DuckDB has one writer: every task that writes the warehouse")
STOP_GRACE_S = 30
READY_TIMEOUT_S = 300


def airflow_env(home: Path, port: int, smtp_port: int, sources: Path) -> dict:
    base_url = f"http://{HOST}:{port}"
    env = dict(os.environ)
    env.update({
        # standalone starts its components as `airflow`: they must be this venv's.
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__API__HOST": HOST,
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": base_url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base_url}/execution/",
        # A laptop or a 2-core VM: a few task processes at a time.
        "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM", "4"),
        "AIRFLOW_CONN_SMTP_DEFAULT": json.dumps({
            "conn_type": "smtp", "host": HOST, "port": smtp_port,
            "extra": {"from_email": "pressmon@localhost", "disable_ssl": True,
                      "disable_tls": True}}),
        # Both kinds of mail go to the catcher: alerts to the operators, the weekly digest to
        # communications staff (without recipients the digest's send task fails).
        "AIRFLOW_VAR_PRESSMON_ALERT_RECIPIENTS": "operators@localhost",
        "AIRFLOW_VAR_PRESSMON_DIGEST_RECIPIENTS": "communication@localhost",
        "PRESSMON_DB": str(LOCAL / "press.duckdb"),
        "PRESSMON_SOURCES": str(sources),
        "PRESSMON_MISSIONS": str(CONFIG / "missions.yaml"),
        "PRESSMON_CONFIG_DIR": str(CONFIG),
        "PRESSMON_SMTP_URL": f"smtp://{HOST}:{smtp_port}",
    })
    env.pop("PRESSMON_DATA_DIR", None)
    return env


class MailFolder:
    """aiosmtpd handler writing each message to ``folder`` as an .eml file."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.monotonic_ns() % 10**6:06d}.eml"
        (self.folder / name).write_bytes(envelope.content)
        print(f"[mail] {msg.get('Subject', '(no subject)')} -> {', '.join(envelope.rcpt_tos)} "
              f"({self.folder / name})", flush=True)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def run_airflow(args: list[str], env: dict) -> None:
    proc = subprocess.run([str(BIN / "airflow"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"airflow {' '.join(args)} failed ({proc.returncode}):\n"
                         f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def wait_until_ready(url: str, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    return False


def admin_login(home: Path) -> tuple[str, str | None, Path]:
    """The simple auth manager's user and the password standalone generated for it."""
    path = Path(os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
                or home / "simple_auth_manager_passwords.json.generated")
    for _ in range(30):
        try:
            passwords = json.loads(path.read_text(encoding="utf-8"))
            if passwords:
                user = "admin" if "admin" in passwords else next(iter(passwords))
                return user, passwords[user], path
        except (OSError, ValueError):
            pass
        time.sleep(1)
    return "admin", None, path


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to Airflow's whole process group, then SIGKILL after the grace period."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pressmon in a local airflow standalone")
    parser.add_argument("--port", type=int, default=8080, help="Airflow UI/API port")
    parser.add_argument("--sites-port", type=int, default=0,
                        help="port of the sample news sites (default: a free one)")
    args = parser.parse_args(argv)

    from aiosmtpd.controller import Controller

    from siteserver import SiteServer, load_sites, render_sources

    home = LOCAL / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    sites = SiteServer(load_sites(SAMPLE), port=args.sites_port).start()
    smtp_port = free_port()
    mail = Controller(MailFolder(LOCAL / "mail"), hostname=HOST, port=smtp_port)
    mail.start()
    proc = None
    try:
        sources = render_sources(SAMPLE / "sources.yaml", sites, LOCAL / "sources.yaml")
        env = airflow_env(home, args.port, smtp_port, sources)
        print(f"sample sites served on port {sites.port}; feeds in {sources}", flush=True)
        print("preparing the Airflow database and the duckdb_writer pool...", flush=True)
        run_airflow(["db", "migrate"], env)
        run_airflow(["pools", "set", *POOL], env)
        proc = subprocess.Popen([str(BIN / "airflow"), "standalone"], env=env, cwd=ROOT,
                                start_new_session=True)
        base = f"http://{HOST}:{args.port}"
        if not wait_until_ready(f"{base}/api/v2/monitor/health", proc, READY_TIMEOUT_S):
            print("Airflow did not come up; see its output above", file=sys.stderr)
            return 1
        user, password, pw_file = admin_login(home)
        print("\n" + "=" * 72)
        print(f"Airflow:        {base}/")
        print(f"Login:          {user} / {password or '(see ' + str(pw_file) + ')'}")
        print(f"Press monitor:  {base}/pressmon/   (also under Browse in the UI)")
        print("DAGs:           press_ingest, press_weekly_digest (paused: unpause or trigger)")
        print(f"Database:       {LOCAL / 'press.duckdb'} (+ .snapshot.duckdb for readers)")
        print(f"Mail catcher:   smtp://{HOST}:{smtp_port}, messages in {LOCAL / 'mail'} "
              f"(alerts: operators@localhost, digest: communication@localhost)")
        print("Ctrl-C stops everything.")
        print("=" * 72 + "\n", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        print("\nstopping Airflow...", flush=True)
        return 0
    finally:
        if proc is not None:
            stop_group(proc)
        mail.stop()
        sites.stop()


def _terminate(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    # Ctrl-C reaches this process only (Airflow runs in its own session); SIGTERM from a
    # supervisor takes the same clean path.
    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(main())
