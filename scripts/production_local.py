"""`make production-local`: the production topology of docker-compose.yaml, run natively.

Starts, on 127.0.0.1 and offline, the same services as the compose file:
- PostgreSQL (Debian's postgresql-15 programs; a throw-away cluster owned by the ``postgres``
  user in a temporary folder) as Airflow's metadata database and Celery's result backend;
- Redis (``redis-server``, installed with apt when missing) as Celery's broker;
- Airflow's api-server, scheduler, dag-processor and triggerer, sharing one AIRFLOW_HOME;
- two Celery workers, each with its own Celery host name, log-server port, working directory,
  HOME, TMPDIR and AIRFLOW_HOME, as two machines would have: they share only the data folder
  (``PRESSMON_DB``'s folder), the staging folder (``PRESSMON_STAGING_DIR``) and Airflow's log
  folder (compose mounts ``./logs`` into every container);
- a mail catcher for alerts and the digest, and the sample news sites.

The Airflow settings that compose and this script share are read from ``deploy/airflow.env``
(compose's ``env_file``) and the pool from ``deploy/pools.json``; secrets are generated at each
start. One deliberate difference: the UI logs in through Airflow's simple auth manager (the
FAB provider that the compose image uses is not installed here).

    .venv/bin/python scripts/production_local.py [--port 8080] [--workers 2] [--dir DIR]

prints the UI URL and login when everything is up; Ctrl-C stops every process it started
(each service runs in its own process group). ``tests/production/`` drives the same
``Topology`` through the REST API.
"""

from __future__ import annotations

import argparse
import base64
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEPLOY = ROOT / "deploy"
AIRFLOW_ENV_FILE = DEPLOY / "airflow.env"
POOLS_FILE = DEPLOY / "pools.json"
SAMPLE = ROOT / "sample"
CONFIG = ROOT / "config"
HOST = "127.0.0.1"
ADMIN = "admin"
STOP_GRACE_S = 10
READY_TIMEOUT_S = 240
WORKER_NAMES = ("worker-a", "worker-b", "worker-c", "worker-d")


# --------------------------------------------------------------------------- small helpers


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines, ``#`` comments: the subset of compose's env_file format used in
    deploy/airflow.env."""
    values = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise SystemExit(f"{path}, line {number}: expected KEY=VALUE, got {raw!r}")
        values[key.strip()] = value.strip()
    return values


def free_port(host: str = HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def wait_until(what: str, check, timeout: float, procs=(), log: Path | None = None,
               every: float = 0.5):
    """Poll ``check`` until it returns a true value; fail early when a process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for svc in procs:
            if svc.proc.poll() is not None:
                raise RuntimeError(f"{svc.name} exited ({svc.proc.returncode}) while waiting "
                                   f"for {what}:\n{svc.tail()}")
        try:
            value = check()
            if value:
                return value
        except Exception:  # not up yet: connection refused, missing file...
            pass
        time.sleep(every)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}"
                       + (f"\n{log.read_text(errors='replace')[-4000:]}" if log else ""))


def ensure_debian_package(find, packages: list[str], what: str):
    """What ``find()`` returns (a program's path), installed with apt-get when missing: CI
    starts on a fresh machine. The first of ``packages`` that installs is taken."""
    found = find()
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(f"{what} not found: install it (apt-get install -y {packages[0]})")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"{what} not found: installing {packages[0]} with apt-get...", flush=True)
    subprocess.run(["apt-get", "update", "-q"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    for pkg in packages:
        if subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", pkg],
                          env=env, stdout=subprocess.DEVNULL).returncode == 0:
            break
    found = find()
    if not found:
        raise SystemExit(f"{what} still missing after apt-get install {' / '.join(packages)}")
    return found


def find_initdb() -> str | None:
    """Debian's PostgreSQL programs: version 15 when installed (what compose's image is
    closest to here), else the newest."""
    paths = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    preferred = [p for p in paths if Path(p).parts[-3] == "15"]
    return (preferred or paths or [None])[-1]


def find_redis_server() -> str | None:
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if Path(p).exists()),
        None)


@dataclass
class Service:
    """One started program: its own process group, its output in one log file."""

    name: str
    proc: subprocess.Popen
    log: Path
    stop_signal: int = signal.SIGTERM

    def tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, grace: float = STOP_GRACE_S) -> None:
        stop_all([self], grace)


def stop_all(services: list[Service], grace: float = STOP_GRACE_S) -> None:
    """Each service's whole process group (a worker's task processes, PostgreSQL's backends):
    its stop signal to all at once, then SIGKILL to what is left after ``grace`` seconds."""
    for svc in services:
        if svc.proc.poll() is None:
            svc.signal_group(svc.stop_signal)
    deadline = time.monotonic() + grace
    for svc in services:
        try:
            svc.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for svc in services:
        # Children may outlive a leader that exited: the group goes in any case.
        svc.signal_group(signal.SIGKILL)
        try:
            svc.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def _die_with_parent(sig: int):
    """Runs in the child before exec: if the process that started it dies without stopping
    it (SIGKILL, a crash), the kernel sends ``sig`` to the service's leader, which takes its
    own children down. Linux only; elsewhere stopping relies on stop(). Everything is looked
    up here, in the parent: the child of a threaded process must not import."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def set_pdeathsig():
        prctl(1, int(sig), 0, 0, 0)  # PR_SET_PDEATHSIG

    return set_pdeathsig


def start_service(name: str, cmd: list[str], log: Path, *, env: dict | None = None,
                  cwd: Path | None = None, user: str | None = None,
                  stop_signal: int = signal.SIGTERM) -> Service:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                user=user, group=(pwd.getpwnam(user).pw_gid if user else None),
                                extra_groups=([] if user else None),
                                preexec_fn=_die_with_parent(stop_signal))
    return Service(name, proc, log, stop_signal)


# --------------------------------------------------------------------------- sample sites


def sample_sites(port: int = 0):
    """The bundled sample news sites on their loopback addresses, and a function writing
    their ``sources.yaml`` with the served URLs to a given path. The one place here that
    knows where the sample server lives."""
    sys.path.insert(0, str(SAMPLE))  # the sample sites server lives beside the corpus
    from siteserver import SiteServer, load_sites, render_sources

    server = SiteServer(load_sites(SAMPLE), port=port).start()

    def write_sources(out: Path, template: Path = SAMPLE / "sources.yaml") -> Path:
        return render_sources(template, server, out)

    return server, write_sources


# --------------------------------------------------------------------------- PostgreSQL, Redis


class Postgres:
    """A throw-away PostgreSQL cluster on a loopback port, with the database ``airflow``."""

    USER = "postgres"

    def __init__(self, logs: Path):
        self.bin = Path(ensure_debian_package(find_initdb, ["postgresql-15", "postgresql"],
                                              "PostgreSQL (initdb)")).parent
        self.logs = logs
        self.port = free_port()
        self.password = secrets.token_urlsafe(18)
        # initdb and postgres refuse to run as root: as root, everything runs as `postgres`
        # in a folder it owns (a pytest tmp_path under /tmp/pytest-of-root is not reachable).
        self.user = self.USER if os.geteuid() == 0 else None
        self.dir = Path(tempfile.mkdtemp(prefix="pressmon-pg-"))
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.service: Service | None = None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://airflow:{self.password}@{HOST}:{self.port}/airflow"

    @property
    def celery_result_backend(self) -> str:
        return f"db+postgresql+psycopg2://airflow:{self.password}@{HOST}:{self.port}/airflow"

    def start(self) -> "Postgres":
        data = self.dir / "data"
        proc = subprocess.run(
            [str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "-E", "UTF8",
             "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"],
            cwd=self.dir, user=self.user, capture_output=True, text=True,
            group=(pwd.getpwnam(self.user).pw_gid if self.user else None),
            extra_groups=([] if self.user else None))
        if proc.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{proc.stdout}\n{proc.stderr}")
        # The cluster is thrown away at the end: no fsync.
        self.service = start_service(
            "postgres",
            [str(self.bin / "postgres"), "-D", str(data), "-p", str(self.port),
             "-c", f"listen_addresses={HOST}", "-c", f"unix_socket_directories={self.dir}",
             "-c", "max_connections=300", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off"],
            self.logs / "postgres.log", cwd=self.dir, user=self.user,
            stop_signal=signal.SIGINT)  # fast shutdown: SIGTERM would wait for clients
        import psycopg2

        def connect():
            return psycopg2.connect(host=str(self.dir), port=self.port, user="postgres",
                                    dbname="postgres")

        con = wait_until("PostgreSQL", connect, 60, [self.service])
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute("CREATE ROLE airflow LOGIN PASSWORD %s", [self.password])
            cur.execute("CREATE DATABASE airflow OWNER airflow")
        con.close()
        return self

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """A Redis without persistence on a loopback port."""

    def __init__(self, logs: Path, folder: Path):
        self.exe = ensure_debian_package(find_redis_server, ["redis-server"], "redis-server")
        self.logs = logs
        self.folder = folder
        self.port = free_port()
        self.service: Service | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> "Redis":
        self.folder.mkdir(parents=True, exist_ok=True)
        self.service = start_service(
            "redis",
            [self.exe, "--port", str(self.port), "--bind", HOST, "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(self.folder)],
            self.logs / "redis.log", cwd=self.folder)
        import redis

        wait_until("Redis", lambda: redis.Redis(host=HOST, port=self.port).ping(), 30,
                   [self.service])
        return self

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()


# --------------------------------------------------------------------------- the topology


@dataclass
class Worker:
    name: str
    host: str  # the host name its task instances record (a loopback address of its own)
    log_server_port: int
    folder: Path
    service: Service | None = None
    killed: bool = False  # on purpose, by kill_worker


@dataclass
class Topology:
    """PostgreSQL, Redis, Airflow's four services and N Celery workers, on loopback.

    ``base`` receives every folder (Airflow homes, workers' folders, shared data, staging,
    logs); ``pressmon_env`` the PRESSMON_* settings every Airflow process gets (paths to the
    sources, missions and configuration); ``extra_env`` overrides Airflow settings (tests lower
    timeouts).
    """

    base: Path
    smtp: tuple[str, int]
    sources: Path
    workers: int = 2
    worker_concurrency: int = 2
    port: int = 0
    extra_env: dict = field(default_factory=dict)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))

    def __post_init__(self):
        self.base = Path(self.base).resolve()
        self.port = self.port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.logs = self.base / "service-logs"
        self.data_dir = self.base / "shared" / "data"
        self.staging_dir = self.base / "shared" / "staging"
        self.airflow_logs = self.base / "shared" / "airflow-logs"
        self.home = self.base / "control-plane" / "airflow"
        self.db = self.data_dir / "press.duckdb"
        self.postgres: Postgres | None = None
        self.redis: Redis | None = None
        self.services: list[Service] = []
        self.worker_list: list[Worker] = []
        if not 1 <= self.workers <= len(WORKER_NAMES):
            raise SystemExit(f"--workers: 1 to {len(WORKER_NAMES)}")

    # ---------------------------------------------------------------- environment

    def common_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_", "PRESSMON_"))}
        env.update(read_env_file(AIRFLOW_ENV_FILE))
        smtp_host, smtp_port = self.smtp
        env.update({
            # Airflow starts helpers by name (`airflow`, `celery`): this venv's.
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.postgres.url,
            "AIRFLOW__CELERY__RESULT_BACKEND": self.postgres.celery_result_backend,
            "AIRFLOW__CELERY__BROKER_URL": self.redis.url,
            "AIRFLOW__CORE__FERNET_KEY": self._secrets["fernet"],
            "AIRFLOW__API_AUTH__JWT_SECRET": self._secrets["jwt"],
            "AIRFLOW__API__SECRET_KEY": self._secrets["api"],
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.passwords_file),
            "AIRFLOW__API__HOST": HOST,
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(self.airflow_logs),
            # Fixed default ports would collide with anything else on the machine.
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": HOST,
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(self._ports["health"]),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(self._ports["trigger_logs"]),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self._ports["worker_logs"]),
            "AIRFLOW_CONN_SMTP_DEFAULT": json.dumps({
                "conn_type": "smtp", "host": smtp_host, "port": smtp_port,
                "extra": {"from_email": "pressmon@localhost", "disable_ssl": True,
                          "disable_tls": True}}),
            "AIRFLOW_VAR_PRESSMON_ALERT_RECIPIENTS": "operators@localhost",
            "PRESSMON_DB": str(self.db),
            "PRESSMON_STAGING_DIR": str(self.staging_dir),
            "PRESSMON_SOURCES": str(self.sources),
            "PRESSMON_MISSIONS": str(CONFIG / "missions.yaml"),
            "PRESSMON_CONFIG_DIR": str(CONFIG),
            "PRESSMON_SMTP_URL": f"smtp://{smtp_host}:{smtp_port}",
        })
        env.update(self.extra_env)
        return env

    def worker_env(self, worker: Worker) -> dict[str, str]:
        env = self.common_env()
        home = worker.folder / "home"
        env.update({
            "HOME": str(home),
            "TMPDIR": str(worker.folder / "tmp"),
            "AIRFLOW_HOME": str(worker.folder / "airflow"),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(worker.log_server_port),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.worker_concurrency),
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "worker_host.hostname",
            "PRESSMON_WORKER_HOST": worker.host,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(DEPLOY), env.get("PYTHONPATH")])),
        })
        env.update(self.extra_env)
        return env

    # ---------------------------------------------------------------- start / stop

    def start(self, log=print) -> "Topology":
        t0 = time.monotonic()
        for folder in (self.logs, self.data_dir, self.staging_dir, self.airflow_logs, self.home):
            folder.mkdir(parents=True, exist_ok=True)
        self._secrets = {"fernet": fernet_key(), "jwt": secrets.token_urlsafe(32),
                         "api": secrets.token_urlsafe(32)}
        self._ports = {"health": free_port(), "trigger_logs": free_port(),
                       "worker_logs": free_port()}
        self.passwords_file = self.home / "passwords.json"
        self.passwords_file.write_text(json.dumps({ADMIN: self.password}), encoding="utf-8")
        self.passwords_file.chmod(0o600)

        log("starting PostgreSQL and Redis...")
        self.postgres = Postgres(self.logs).start()
        self.redis = Redis(self.logs, self.base / "redis").start()
        env = self.common_env()
        log("migrating the Airflow database (PostgreSQL)...")
        self.airflow(["db", "migrate"], env, timeout=600)
        self.airflow(["pools", "import", str(POOLS_FILE)], env)
        log("starting api-server, scheduler, dag-processor, triggerer...")
        for name, cmd in (("api-server", ["api-server"]), ("scheduler", ["scheduler"]),
                          ("dag-processor", ["dag-processor"]), ("triggerer", ["triggerer"])):
            self.services.append(start_service(
                name, [str(BIN / "airflow"), *cmd], self.logs / f"{name}.log", env=env,
                cwd=self.home))
        for i in range(self.workers):
            name = WORKER_NAMES[i]
            worker = Worker(name, f"127.0.1.{i + 1}", free_port(), self.base / name)
            self.worker_list.append(worker)
            self.start_worker(worker)
        wait_until("the API server", lambda: self._get("/api/v2/monitor/health"),
                   READY_TIMEOUT_S, self.services)
        for worker in self.worker_list:
            self.wait_worker_ready(worker)
        log(f"everything up in {time.monotonic() - t0:.0f} s")
        return self

    def start_worker(self, worker: Worker) -> Service:
        for sub in ("home", "tmp", "airflow"):
            (worker.folder / sub).mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{worker.name}.log"
        worker.killed = False
        worker.log_offset = log.stat().st_size if log.exists() else 0
        worker.service = start_service(
            worker.name,
            [str(BIN / "airflow"), "celery", "worker", "--celery-hostname",
             f"{worker.name}@%h", "--concurrency", str(self.worker_concurrency)],
            log, env=self.worker_env(worker), cwd=worker.folder)
        return worker.service

    def wait_worker_ready(self, worker: Worker, timeout: float = READY_TIMEOUT_S) -> None:
        def ready():
            with open(worker.service.log, "rb") as fh:
                fh.seek(worker.log_offset)
                return b" ready." in fh.read()

        wait_until(f"Celery worker {worker.name}", ready, timeout, [worker.service])

    def worker(self, name: str) -> Worker:
        return next(w for w in self.worker_list if w.name == name)

    def kill_worker(self, name: str) -> None:
        """SIGKILL to the worker's whole process group (Celery's main process, its pool, the
        task supervisors and task processes, the log server): a machine that vanishes."""
        worker = self.worker(name)
        worker.killed = True
        worker.service.signal_group(signal.SIGKILL)
        worker.service.proc.wait(timeout=30)

    def airflow(self, args: list[str], env: dict, timeout: float = 300) -> str:
        proc = subprocess.run([str(BIN / "airflow"), *args], env=env, cwd=self.home,
                              capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} failed ({proc.returncode}):\n"
                               f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc.stdout

    def _get(self, path: str) -> bool:
        with urllib.request.urlopen(self.url + path, timeout=5) as resp:
            return resp.status == 200

    def all_services(self) -> list[Service]:
        """Every service that should be running (not the workers killed on purpose)."""
        return [*self.services,
                *(w.service for w in self.worker_list if w.service and not w.killed)]

    def stop(self) -> None:
        """Workers first (their tasks), then Airflow's services, Redis, PostgreSQL; whatever
        did not start is skipped."""
        stop_all([w.service for w in self.worker_list if w.service is not None])
        stop_all(self.services)
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def __enter__(self) -> "Topology":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------- the script


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pressmon's production topology, natively")
    parser.add_argument("--port", type=int, default=8080, help="Airflow UI/API port")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers (1-4)")
    parser.add_argument("--concurrency", type=int, default=2,
                        help="task processes per worker")
    parser.add_argument("--dir", type=Path, default=ROOT / "data" / "production-local",
                        help="working folder, emptied at start and kept after Ctrl-C")
    args = parser.parse_args(argv)

    from aiosmtpd.controller import Controller

    from airflow_local import MailFolder

    if args.dir.exists():
        shutil.rmtree(args.dir)
    args.dir.mkdir(parents=True)
    sites, write_sources = sample_sites()
    smtp_port = free_port()
    mail = Controller(MailFolder(args.dir / "mail"), hostname=HOST, port=smtp_port)
    mail.start()
    topo = Topology(args.dir, (HOST, smtp_port), write_sources(args.dir / "sources.yaml"),
                    workers=args.workers, worker_concurrency=args.concurrency, port=args.port)
    try:
        topo.start(log=lambda m: print(m, flush=True))
        print("\n" + "=" * 72)
        print(f"Airflow:        {topo.url}/")
        print(f"Login:          {ADMIN} / {topo.password}")
        print(f"Press monitor:  {topo.url}/pressmon/")
        print("Executor:       CeleryExecutor, PostgreSQL "
              f"{HOST}:{topo.postgres.port}, Redis {HOST}:{topo.redis.port}")
        for w in topo.worker_list:
            print(f"Worker:         {w.name} (host {w.host}, folder {w.folder}, log server "
                  f"port {w.log_server_port})")
        print(f"Database:       {topo.db} (staging {topo.staging_dir})")
        print(f"Mail catcher:   smtp://{HOST}:{smtp_port}, messages in {args.dir / 'mail'}")
        print(f"Service logs:   {topo.logs}")
        print("DAGs start paused: unpause press_ingest (hourly) or trigger it.")
        print("Ctrl-C stops everything.")
        print("=" * 72 + "\n", flush=True)
        while True:
            for svc in topo.all_services():
                if not svc.alive():
                    print(f"{svc.name} exited ({svc.proc.returncode}); its log:\n{svc.tail()}",
                          file=sys.stderr)
                    return 1
            time.sleep(2)
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
        return 0
    finally:
        topo.stop()
        mail.stop()
        sites.stop()


def _terminate(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    # Ctrl-C reaches this process only (every service runs in its own session); SIGTERM
    # from a supervisor takes the same clean path, and so does SIGINT when the shell that
    # started the script in the background had it ignored.
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    sys.exit(main())
