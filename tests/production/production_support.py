"""Helpers for the production test (a conftest.py here would shadow the suite's top-level
one): the native topology of scripts/production_local.py, a REST API v2 client, the CLI
reference databases and the comparison of v_articles."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from urllib.parse import quote

import duckdb
import httpx
import yaml

from pm_testing import CONFIG, ROOT, run_cli

# The columns of v_articles that must be equal to the CLI's.
COMPARED = ("article_id", "canonical_url", "title", "language", "relevant", "mission_id",
            "story_id", "topics")


def load_production_local():
    """scripts/production_local.py as a module (the test drives the script's topology)."""
    name = "production_local"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Api:
    """The REST API v2 as an operator's tools use it: a token from POST /auth/token, then
    /api/v2/... with it."""

    def __init__(self, base: str, user: str, password: str):
        self.http = httpx.Client(base_url=base, timeout=30)
        r = self.http.post("/auth/token", json={"username": user, "password": password})
        assert r.status_code in (200, 201), f"POST /auth/token: {r.status_code} {r.text}"
        self.http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    def close(self) -> None:
        self.http.close()

    def call(self, method: str, path: str, **kw):
        r = self.http.request(method, "/api/v2" + path, **kw)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text[:2000]}"
        return r.json() if r.content else {}

    def trigger(self, dag_id: str, conf: dict | None = None) -> str:
        body = {"logical_date": None}
        if conf:
            body["conf"] = conf
        return self.call("POST", f"/dags/{dag_id}/dagRuns", json=body)["dag_run_id"]

    def run(self, dag_id: str, run_id: str) -> dict:
        return self.call("GET", f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.call("GET", f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}"
                                f"/taskInstances", params={"limit": 1000})["task_instances"]

    def xcom(self, dag_id: str, run_id: str, task_id: str, key: str = "return_value"):
        """A task's XCom value, or None while it has none."""
        r = self.http.get(f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/"
                          f"taskInstances/{task_id}/xcomEntries/{key}")
        if r.status_code == 404:
            return None
        assert r.status_code == 200, f"xcom {task_id}: {r.status_code} {r.text[:500]}"
        return r.json()["value"]

    def wait_run(self, dag_id: str, run_id: str, timeout: float, alive=lambda: None) -> dict:
        deadline = time.monotonic() + timeout
        run = None
        while time.monotonic() < deadline:
            run = self.run(dag_id, run_id)
            if run["state"] in ("success", "failed"):
                return run
            alive()
            time.sleep(1)
        states = {(t["task_id"], t.get("rendered_map_index")): t["state"]
                  for t in self.task_instances(dag_id, run_id)}
        raise AssertionError(f"{dag_id} {run_id} still {run and run['state']} after "
                             f"{timeout:.0f} s: {states}")

    def log_text(self, dag_id: str, run_id: str, ti: dict, try_number: int) -> str:
        data = self.call(
            "GET", f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/"
                   f"{ti['task_id']}/logs/{try_number}",
            params={"map_index": ti["map_index"], "full_content": "true"},
            headers={"Accept": "application/json"})
        content = data.get("content", [])
        if isinstance(content, str):
            return content
        return "\n".join(line if isinstance(line, str) else str(line.get("event", line))
                         for line in content)


def feed_label(ti: dict) -> str:
    return ti.get("rendered_map_index") or str(ti["map_index"])


def write_sources(full: Path, out: Path, names: list[str] | None, delay_s: float) -> Path:
    """The rendered sample sources, limited to ``names`` (all when None), with a per-host
    politeness delay. Written atomically: tasks may be reading the file."""
    data = yaml.safe_load(full.read_text(encoding="utf-8"))
    if names is not None:
        data["sources"] = [s for s in data["sources"] if s["name"] in names]
    data.setdefault("fetch", {})["per_host_delay_s"] = delay_s
    tmp = out.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    tmp.replace(out)
    return out


def cli_ingest(sources: Path, db: Path) -> None:
    run_cli("ingest", "--sources", str(sources), "--db", str(db), "--missions",
            str(CONFIG / "missions.yaml"), "--config-dir", str(CONFIG),
            env={"PRESSMON_STAGING_DIR": str(db.parent / "staging")})


def read_articles(db: Path) -> dict[str, tuple]:
    """article_id -> the compared columns, from a database nobody writes at that moment."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(f"SELECT {', '.join(COMPARED)} FROM v_articles").fetchall()
    finally:
        con.close()
    out = {}
    for row in rows:
        assert row[0] not in out, f"{db}: article {row[0]} twice in v_articles"
        out[row[0]] = tuple(tuple(v) if isinstance(v, list) else v for v in row)
    return out


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def without_story(articles: dict) -> dict:
    """The same rows with story_id blanked: for databases that received the same articles in
    a different order of cycles, where stories may have formed differently."""
    story = COMPARED.index("story_id")
    return {aid: row[:story] + (None,) + row[story + 1:] for aid, row in articles.items()}


def differences(got: dict, want: dict, limit: int = 5) -> str:
    """A readable account of how two article sets differ (empty when equal)."""
    lines = []
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    if missing:
        lines.append(f"{len(missing)} missing, e.g. {[want[a][:3] for a in missing[:limit]]}")
    if extra:
        lines.append(f"{len(extra)} unexpected, e.g. {[got[a][:3] for a in extra[:limit]]}")
    changed = [a for a in set(got) & set(want) if got[a] != want[a]]
    for aid in sorted(changed)[:limit]:
        cols = [f"{c}: {g!r} != {w!r}" for c, g, w in zip(COMPARED, got[aid], want[aid])
                if g != w]
        lines.append(f"{aid} differs: {'; '.join(cols)}")
    if len(changed) > limit:
        lines.append(f"... {len(changed)} rows differ in all")
    return "\n".join(lines)


def overlapping(intervals: list[tuple[str, str, str]]) -> list[tuple]:
    """Pairs of (label, start, end) ISO intervals that overlap."""
    ordered = sorted(intervals, key=lambda i: i[1])
    return [(a, b) for a, b in zip(ordered, ordered[1:]) if b[1] < a[2]]
