"""Article identity and story grouping across cycles, on small sites built per test and
served on loopback: edits, feed order, aliases, reruns."""

from __future__ import annotations

import duckdb
import pytest
import yaml

from pm_testing import CONFIG, run_cli

LOREM = {
    "wire": ("La Métropole Aix-Marseille-Provence a signé mardi à Miami un accord de coopération "
             "avec le comté de Miami-Dade, une première pour la collectivité. Le texte porte sur "
             "l'économie, le tourisme, les croisières et les échanges entre le port de Marseille "
             "et PortMiami. Cent vingt chefs d'entreprise et élus accompagnent la délégation. "
             "Euroméditerranée a présenté ses projets aux investisseurs américains réunis pour "
             "l'occasion dans les salons de la mairie de Miami. Les deux territoires prévoient "
             "des visites croisées dès le printemps prochain et un comité de suivi annuel."),
    "tram": ("Le tramway de Marseille sera prolongé vers le nord de la ville à partir de 2019, a "
             "annoncé la régie des transports lors d'une réunion publique qui a réuni plusieurs "
             "centaines d'habitants. Les travaux dureront trois ans et coûteront quatre cents "
             "millions d'euros. Les commerçants du boulevard craignent une baisse de leur chiffre "
             "d'affaires pendant le chantier et demandent des indemnisations rapides."),
}


def page(title: str, text: str, published: str, canonical: str | None = None) -> str:
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    canon = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f"<!doctype html><html lang=fr><head><title>{title}</title>{canon}"
            f'<meta property="article:published_time" content="{published}"></head><body>'
            f"<nav><a href=/>Accueil</a> <a href=/eco>Économie</a></nav><article><h1>{title}</h1>"
            f"{paras}</article><footer>Tous droits réservés</footer></body></html>")


def rss(items: list[dict]) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
           "<link>{{base}}/</link><description>d</description>"]
    for it in items:
        upd = f"<atom:updated xmlns:atom='http://www.w3.org/2005/Atom'>{it['updated']}</atom:updated>" \
            if it.get("updated") else ""
        out.append(f"<item><title>{it['title']}</title><link>{{{{base}}}}{it['path']}</link>"
                   f"<guid>{{{{base}}}}{it['path']}</guid><pubDate>{it['date']}</pubDate>{upd}</item>")
    out.append("</channel></rss>")
    return "".join(out)


class Sites:
    """A tiny set of news sites written into a folder and served by SiteServer."""

    def __init__(self, root):
        self.root = root
        self.sites: dict[str, str] = {}

    def add(self, name: str, address: str):
        (self.root / name).mkdir(parents=True, exist_ok=True)
        self.sites[name] = address

    def write(self, site: str, path: str, text: str):
        f = self.root / site / path.lstrip("/")
        if path.endswith("/"):
            f = f / "index.html"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text, encoding="utf-8")

    def sites_yaml(self):
        (self.root / "sites.yaml").write_text(yaml.safe_dump({"sites": [
            {"name": n, "address": a, "root": n} for n, a in self.sites.items()]}))


@pytest.fixture
def world(tmp_path):
    from siteserver import SiteServer, load_sites

    sites = Sites(tmp_path / "sites")
    sites.add("alpha", "127.0.3.1")
    sites.add("beta", "127.0.3.2")
    sites.sites_yaml()
    with SiteServer(load_sites(tmp_path / "sites")) as server:
        yield sites, server, tmp_path


def write_sources(tmp_path, server, feeds: list[tuple[str, str, str]], name="sources.yaml"):
    data = {"fetch": {"per_host_delay_s": 0, "timeout_s": 5, "allow_private_links": True},
            "sources": [{"name": n, "url": server.base_url(site) + path, "region": "marseille",
                         "language": "fr", "outlet": site} for n, site, path in feeds]}
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data))
    return p


def ingest(sources, db):
    return run_cli("ingest", "--sources", str(sources), "--db", str(db),
                   "--missions", str(CONFIG / "missions.yaml"), "--workers", "1")


def rows(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_edited_article_keeps_its_row(world):
    """A newer `updated` in the feed refetches the page; the row is updated, a revision kept."""
    sites, server, tmp = world
    sites.write("alpha", "/a/accord/", page("Accord signé", LOREM["wire"], "2017-11-07T10:00:00+01:00"))
    sites.write("alpha", "/feed.xml", rss([{"title": "Accord signé", "path": "/a/accord/",
                                            "date": "Tue, 07 Nov 2017 10:00:00 +0100"}]))
    src = write_sources(tmp, server, [("alpha-eco", "alpha", "/feed.xml")])
    db = tmp / "db" / "press.duckdb"
    ingest(src, db)
    (aid, rev, h1), = rows(db, "SELECT article_id, revision, content_hash FROM articles")
    assert rev == 1
    edited = LOREM["wire"] + " Mise à jour : le conseil métropolitain ratifiera l'accord en décembre."
    sites.write("alpha", "/a/accord/", page("Accord signé (mis à jour)", edited, "2017-11-07T10:00:00+01:00"))
    sites.write("alpha", "/feed.xml", rss([{"title": "Accord signé", "path": "/a/accord/",
                                            "date": "Tue, 07 Nov 2017 10:00:00 +0100",
                                            "updated": "2017-11-08T09:00:00+01:00"}]))
    server.reload()
    out = ingest(src, db)
    assert "1 updated" in out.stdout, out.stdout
    (aid2, rev2, h2, title), = rows(db, "SELECT article_id, revision, content_hash, title FROM articles")
    assert aid2 == aid and rev2 == 2 and h2 != h1 and "mis à jour" in title
    (r_id, r_rev, r_hash), = rows(db, "SELECT article_id, revision, content_hash FROM article_revisions")
    assert (r_id, r_rev, r_hash) == (aid, 1, h1)
    # one story still, the article's own
    assert len(rows(db, "SELECT DISTINCT story_id FROM articles")) == 1


def test_listed_in_two_feeds_first_source_wins(world):
    """One article in two feeds of its outlet (one URL with tracking parameters) is one row,
    attributed to the feed listed first in sources.yaml, with both URLs as aliases."""
    sites, server, tmp = world
    sites.write("alpha", "/a/accord/", page("Accord signé", LOREM["wire"], "2017-11-07T10:00:00+01:00"))
    sites.write("alpha", "/eco.xml", rss([{"title": "Accord", "path": "/a/accord/?utm_source=rss&utm_medium=feed",
                                           "date": "Tue, 07 Nov 2017 10:00:00 +0100"}]))
    sites.write("alpha", "/une.xml", rss([{"title": "Accord", "path": "/a/accord/",
                                           "date": "Tue, 07 Nov 2017 10:00:00 +0100"}]))
    for order in (["alpha-une", "alpha-eco"], ["alpha-eco", "alpha-une"]):
        feeds = [(n, "alpha", "/" + n.split("-")[1] + ".xml") for n in order]
        src = write_sources(tmp, server, feeds, name=f"{order[0]}.yaml")
        db = tmp / order[0] / "press.duckdb"
        ingest(src, db)
        (source, n), = rows(db, "SELECT source, count(*) FROM v_articles GROUP BY 1")
        assert source == order[0] and n == 1
        urls = {u for (u,) in rows(db, "SELECT url FROM article_aliases")}
        assert any("utm_source" in u for u in urls) and any(u.endswith("/a/accord/") for u in urls)


def test_copies_grouped_whatever_the_feed_order(world):
    """Two outlets carrying one wire text form one story; reversing sources.yaml gives the same
    article ids and the same grouping."""
    sites, server, tmp = world
    copy = LOREM["wire"].replace("a signé mardi", "a officiellement signé ce mardi")
    sites.write("alpha", "/a/accord/", page("Marseille et Miami signent", LOREM["wire"], "2017-11-07T10:00:00+01:00"))
    sites.write("alpha", "/a/tram/", page("Le tram prolongé", LOREM["tram"], "2017-11-06T10:00:00+01:00"))
    sites.write("beta", "/b/miami/", page("Un accord avec Miami-Dade", copy, "2017-11-07T12:00:00+01:00"))
    sites.write("alpha", "/feed.xml", rss([
        {"title": "Marseille et Miami signent", "path": "/a/accord/", "date": "Tue, 07 Nov 2017 10:00:00 +0100"},
        {"title": "Le tram prolongé", "path": "/a/tram/", "date": "Mon, 06 Nov 2017 10:00:00 +0100"}]))
    sites.write("beta", "/feed.xml", rss([
        {"title": "Un accord avec Miami-Dade", "path": "/b/miami/", "date": "Tue, 07 Nov 2017 12:00:00 +0100"}]))
    results = []
    for order in (["alpha", "beta"], ["beta", "alpha"]):
        src = write_sources(tmp, server, [(n, n, "/feed.xml") for n in order], name=f"{order[0]}.yaml")
        db = tmp / f"first-{order[0]}" / "press.duckdb"
        ingest(src, db)
        results.append(rows(db, "SELECT article_id, source, story_id FROM v_articles ORDER BY 1"))
    assert results[0] == results[1]
    stories = {}
    for aid, source, story in results[0]:
        stories.setdefault(story, []).append(source)
    assert sorted(map(sorted, stories.values())) == [["alpha"], ["alpha", "beta"]]


def _three_entries(sites):
    for name in ("a", "b", "c"):
        sites.write("alpha", f"/n/{name}/", page(f"Story {name}", LOREM["tram"].replace(
            "Le tramway", f"Le tramway {name}"), "2017-11-06T10:00:00+01:00"))
    sites.write("alpha", "/feed.xml", rss([
        {"title": f"Story {n}", "path": f"/n/{n}/", "date": "Mon, 06 Nov 2017 10:00:00 +0100"}
        for n in ("a", "b", "c")]))


def test_page_failing_for_a_passing_reason_is_fetched_next_cycle(world):
    """A 503 page is not lost: the feed is read again next cycle (no 304), the page stored."""
    sites, server, tmp = world
    _three_entries(sites)
    sites.write("alpha", "/n/b/index.html.http.yaml", "status: 503\n")
    src = write_sources(tmp, server, [("alpha", "alpha", "/feed.xml")])
    db = tmp / "db" / "press.duckdb"
    ingest(src, db)
    assert len(rows(db, "SELECT * FROM articles")) == 2
    assert rows(db, "SELECT outcome, http_status FROM page_log WHERE url LIKE '%/n/b/'") == [("error", 503)]
    (sidecar := sites.root / "alpha/n/b/index.html.http.yaml").unlink()
    server.reload()
    server.reset_log()
    ingest(src, db)
    assert sorted(t for (t,) in rows(db, "SELECT title FROM articles")) == ["Story a", "Story b", "Story c"]
    assert not sidecar.exists()
    pages = [r.path for r in server.requests if r.path.startswith("/n/")]
    assert pages == ["/n/b/"]  # only the missing page, the others are known


def test_feed_whose_task_died_is_fetched_next_cycle(world, monkeypatch):
    """A fetch that never finished (its worker killed: no outcome file) is logged as an error
    but not backed off like a failing feed: the next cycle fetches and loads its articles."""
    from pressmon import pipeline
    from pressmon.config import load_sources
    from pressmon.settings import get_paths

    sites, server, tmp = world
    _three_entries(sites)
    src = write_sources(tmp, server, [("alpha", "alpha", "/feed.xml")])
    db = tmp / "db" / "press.duckdb"
    monkeypatch.delenv("PRESSMON_STAGING_DIR", raising=False)
    paths = get_paths(db=str(db), config_dir=str(CONFIG), sources=str(src),
                      missions=str(CONFIG / "missions.yaml"))
    pipeline.load_stage(paths, load_sources(src), "cycle-lost")  # no stage ran for alpha
    [(outcome, error)] = rows(db, "SELECT outcome, error FROM fetch_log")
    assert outcome == "error" and "did not complete" in error
    assert rows(db, "SELECT next_attempt_at FROM feed_state WHERE source = 'alpha'") in ([], [(None,)])
    ingest(src, db)
    assert sorted(t for (t,) in rows(db, "SELECT title FROM articles")) == ["Story a", "Story b", "Story c"]


def test_entries_beyond_the_page_limit_come_next_cycle(world):
    """max_pages_per_feed spreads a backlog over cycles instead of dropping it."""
    sites, server, tmp = world
    _three_entries(sites)
    src = write_sources(tmp, server, [("alpha", "alpha", "/feed.xml")])
    data = yaml.safe_load(src.read_text())
    data["fetch"]["max_pages_per_feed"] = 2
    src.write_text(yaml.safe_dump(data))
    db = tmp / "db" / "press.duckdb"
    ingest(src, db)
    assert len(rows(db, "SELECT * FROM articles")) == 2
    ingest(src, db)
    assert len(rows(db, "SELECT * FROM articles")) == 3
    out = ingest(src, db)
    assert "0 new articles" in out.stdout
    assert rows(db, "SELECT outcome FROM fetch_log ORDER BY started_at DESC LIMIT 1") == [("not_modified",)]


def test_feed_date_when_only_updated_is_given_and_non_html_pages(world):
    """An entry dated only by <updated> gets that date; a PDF link is kept from the feed, not
    read as text, and logged as not HTML."""
    sites, server, tmp = world
    sites.write("alpha", "/n/a/", page("Story a", LOREM["tram"], "").replace(
        '<meta property="article:published_time" content="">', ""))
    sites.write("alpha", "/docs/report.pdf", "%PDF-1.4 binary-ish")
    sites.write("alpha", "/docs/report.pdf.http.yaml", "content_type: application/pdf\n")
    sites.write("alpha", "/feed.xml", (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>t</title><id>urn:t</id><updated>2017-11-07T12:00:00+02:00</updated>"
        "<entry><title>Story a</title><id>urn:a</id><link href='{{base}}/n/a/'/>"
        "<updated>2017-11-07T12:00:00+02:00</updated></entry>"
        "<entry><title>Rapport annuel du port</title><id>urn:r</id>"
        "<link href='{{base}}/docs/report.pdf'/><updated>2017-11-08T09:00:00+01:00</updated>"
        "<summary>Le rapport annuel du Grand port maritime de Marseille est en ligne.</summary>"
        "</entry></feed>"))
    src = write_sources(tmp, server, [("alpha", "alpha", "/feed.xml")])
    db = tmp / "db" / "press.duckdb"
    ingest(src, db)
    got = dict((t, (p, txt)) for t, p, txt in rows(
        db, "SELECT title, published_at, text FROM articles"))
    assert str(got["Story a"][0]).startswith("2017-11-07 10:00:00")
    pdf = got["Rapport annuel du port"]
    assert "PDF" not in pdf[1] and "rapport annuel" in pdf[1]
    assert rows(db, "SELECT outcome, error FROM page_log WHERE url LIKE '%.pdf'") == [
        ("not_html", "not an HTML page: application/pdf")]


def test_cleared_airflow_run_loads_again_retried_load_does_not(world):
    """The same cycle id staged twice (a cleared Airflow run) is loaded as a second cycle;
    the same staged files loaded twice (a retried load task) are loaded once."""
    from pressmon.config import load_sources
    from pressmon.stages import classify_stage, extract_stage, fetch_stage, load_stage
    from pressmon.settings import get_paths

    sites, server, tmp = world
    _three_entries(sites)
    src = write_sources(tmp, server, [("alpha", "alpha", "/feed.xml")])
    paths = get_paths(db=str(tmp / "db" / "press.duckdb"), sources=str(src),
                      missions=str(CONFIG / "missions.yaml"), config_dir=str(CONFIG))
    sources = load_sources(src)

    def stages(cycle):
        fetch_stage(paths, sources, "alpha", cycle)
        extract_stage(paths, sources, "alpha", cycle)
        classify_stage(paths, sources, "alpha", cycle)

    stages("af-run1")
    load_stage(paths, sources, "af-run1", keep_staging=True)
    load_stage(paths, sources, "af-run1")  # retried load task: same staged files
    assert rows(paths.db, "SELECT cycle_id, count(*) FROM fetch_log GROUP BY 1") == [("af-run1", 1)]
    stages("af-run1")  # the run cleared: tasks run again with the same run id
    load_stage(paths, sources, "af-run1")
    assert rows(paths.db, "SELECT cycle_id, outcome FROM fetch_log ORDER BY started_at") == [
        ("af-run1", "ok"), ("af-run1.2", "not_modified")]
    assert len(rows(paths.db, "SELECT * FROM articles")) == 3


def test_two_feeds_of_one_site_without_outlet_are_one_article(world):
    """Feeds of one site without `outlet` listing one URL give one row, its outlet the site; a
    feed of another outlet listing that URL later finds it known (no page fetch, no row)."""
    sites, server, tmp = world
    sites.write("alpha", "/a/accord/", page("Accord signé", LOREM["wire"], "2017-11-07T10:00:00+01:00"))
    sites.write("alpha", "/une.xml", rss([{"title": "Accord", "path": "/a/accord/",
                                           "date": "Tue, 07 Nov 2017 10:00:00 +0100"}]))
    sites.write("alpha", "/eco.xml", rss([{"title": "Accord", "path": "/a/accord/?utm_source=rss",
                                           "date": "Tue, 07 Nov 2017 10:00:00 +0100"}]))
    feeds = [{"name": n, "url": server.base_url("alpha") + f"/{n.split('-')[1]}.xml",
              "region": "marseille", "language": "fr"} for n in ("alpha-une", "alpha-eco")]
    src = tmp / "sources.yaml"
    src.write_text(yaml.safe_dump({"fetch": {"per_host_delay_s": 0, "timeout_s": 5,
                                             "allow_private_links": True}, "sources": feeds}))
    db = tmp / "db" / "press.duckdb"
    ingest(src, db)
    site = server.base_url("alpha").split("://", 1)[1]
    (aid, source, outlet), = rows(db, "SELECT article_id, source, outlet FROM v_articles")
    assert (source, outlet) == ("alpha-une", site)

    # Another outlet's feed (an aggregator on beta) lists the same URL.
    sites.write("beta", "/feed.xml", rss([{"title": "Accord", "path": "/x", "date":
                                           "Tue, 07 Nov 2017 10:00:00 +0100"}]).replace(
        "{{base}}/x", server.base_url("alpha") + "/a/accord/"))
    server.reload()
    server.reset_log()
    feeds.append({"name": "beta", "url": server.base_url("beta") + "/feed.xml",
                  "region": "national", "language": "fr", "outlet": "beta-news"})
    src.write_text(yaml.safe_dump({"fetch": {"per_host_delay_s": 0, "timeout_s": 5,
                                             "allow_private_links": True}, "sources": feeds}))
    ingest(src, db)
    assert rows(db, "SELECT article_id, outlet FROM v_articles") == [(aid, site)]
    assert not [r for r in server.requests if r.path.startswith("/a/")]


def _load_fixture_db(folder, db):
    """A database as exported by build_doubled_v6.py: its tables and macros (the views are
    created again by the migration run)."""
    import re

    con = duckdb.connect(str(db))
    for stmt in (folder / "schema.sql").read_text().split(";\n"):
        if stmt.strip() and not stmt.lstrip().startswith("CREATE VIEW"):
            con.execute(stmt)
    for line in (folder / "load.sql").read_text().splitlines():
        m = re.match(r"COPY (\w+) FROM '([^']+)'", line)
        if m:
            con.execute(f"COPY {m.group(1)} FROM '{folder / m.group(2)}' (FORMAT parquet)")
    return con


def test_migration_merges_rows_doubled_by_earlier_versions(tmp_path):
    """A database written at schema 6 (two feeds of one site without `outlet` stored each
    shared article twice): migration 007 keeps the row first seen (ties: the feed first in
    sources.yaml) with its id, repoints or removes everything that named the others, merges
    their stories, and keeps the other texts as revisions."""
    from pm_testing import ROOT
    from pressmon import store

    con = _load_fixture_db(ROOT / "tests/data/identity/doubled-v6", tmp_path / "press.duckdb")
    assert store.schema_version(con) == 6
    before = rows_of(con, "SELECT a.article_id, a.canonical_url, a.first_seen_at, s.position, "
                          "a.content_hash, a.story_id FROM articles a "
                          "JOIN sources s ON s.name = a.source")
    groups: dict = {}
    for r in before:
        groups.setdefault(r[1], []).append(r)
    assert sum(len(g) > 1 for g in groups.values()) == 3  # accord, port, budget doubled
    kept = {url: min(g, key=lambda r: (r[2], r[3], r[0]))[0] for url, g in groups.items()}
    dropped = {r[0] for r in before} - set(kept.values())
    other_texts = {(kept[r[1]], r[4]) for r in before if r[0] in dropped
                   and r[4] != next(k[4] for k in groups[r[1]] if k[0] == kept[r[1]])}
    assert other_texts  # the budget story was rewritten between its two rows
    sources_url = dict(rows_of(con, "SELECT name, url FROM sources"))

    store.migrate(con, "fixture")
    assert store.schema_version(con) == store.latest_version()
    after = rows_of(con, "SELECT canonical_url, article_id, outlet, source FROM v_articles")
    assert sorted((u, a) for u, a, _, _ in after) == sorted(kept.items())
    for url, aid, outlet, source in after:
        if len(groups[url]) > 1:
            assert outlet == sources_url[source].split("://", 1)[1].split("/", 1)[0]
    for table, col in [("article_aliases", "article_id"), ("article_revisions", "article_id"),
                       ("story_members", "article_id"), ("story_members", "matched_article_id"),
                       ("story_bands", "article_id"), ("search_terms", "article_id"),
                       ("stories", "original_article_id")]:
        named = {r[0] for r in rows_of(con, f"SELECT DISTINCT {col} FROM {table}")} - {None}
        assert not named & dropped, (table, col)
        assert named <= set(kept.values()), (table, col)
    # Every URL any row was listed under still finds its article, once.
    aliases = rows_of(con, "SELECT url, count(*) FROM article_aliases GROUP BY url")
    assert all(n == 1 for _, n in aliases)
    assert {r[0] for r in before} and len(aliases) >= len(kept) * 2
    assert other_texts <= set(rows_of(con, "SELECT article_id, content_hash FROM article_revisions"))
    # Stories: members and articles agree, counts and originals recomputed.
    assert rows_of(con, "SELECT count(*) FROM story_members m JOIN articles a USING (article_id) "
                        "WHERE a.story_id <> m.story_id") == [(0,)]
    for story, count, original in rows_of(con, "SELECT story_id, article_count, "
                                               "original_article_id FROM stories"):
        members = rows_of(con, "SELECT article_id FROM story_members WHERE story_id = ?", [story])
        assert count == len(members) and (original,) in members
    budget = [u for u in kept if u.endswith("/a/budget")][0]
    beta_copy = [u for u in kept if u.endswith("/b/budget")][0]
    assert rows_of(con, "SELECT count(DISTINCT story_id) FROM articles WHERE canonical_url IN (?, ?)",
                   [budget, beta_copy]) == [(1,)]
    con.close()


def rows_of(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_feed_stage_writes_what_the_three_stages_write(world):
    """A CLI worker's feed stage (pages handed over in memory) stages the same records as the
    fetch, extract and classify tasks of Airflow, and no page or article file."""
    from pressmon.config import load_sources
    from pressmon.settings import get_paths
    from pressmon.stages import classify_stage, extract_stage, feed_stage, fetch_stage
    from pressmon.staging import (ARTICLES_FILE, CLASSIFIED_FILE, PAGES_FILE, feed_dir,
                                  read_jsonl)

    sites, server, tmp = world
    _three_entries(sites)
    sites.write("alpha", "/n/b/index.html.http.yaml", "status: 404\n")
    sites.write("alpha", "/docs/report.pdf", "%PDF-1.4 binary-ish")
    sites.write("alpha", "/docs/report.pdf.http.yaml", "content_type: application/pdf\n")
    feed = (tmp / "sites" / "alpha" / "feed.xml").read_text(encoding="utf-8")
    sites.write("alpha", "/feed.xml", feed.replace("</channel>", (
        "<item><title>Rapport</title><link>{{base}}/docs/report.pdf</link>"
        "<pubDate>Tue, 07 Nov 2017 10:00:00 +0100</pubDate></item></channel>")))
    src = write_sources(tmp, server, [("alpha", "alpha", "/feed.xml")])
    paths = get_paths(db=str(tmp / "db" / "press.duckdb"), sources=str(src),
                      missions=str(CONFIG / "missions.yaml"), config_dir=str(CONFIG))
    sources = load_sources(src)

    fetch_stage(paths, sources, "alpha", "af-run")
    extract_stage(paths, sources, "alpha", "af-run")
    classify_stage(paths, sources, "alpha", "af-run")
    outcome = feed_stage(paths, sources, "alpha", "cli-run")

    split, fused = feed_dir(paths, "af-run", "alpha"), feed_dir(paths, "cli-run", "alpha")
    classified = list(read_jsonl(split / CLASSIFIED_FILE))
    assert list(read_jsonl(fused / CLASSIFIED_FILE)) == classified
    assert len(classified) == 3 and outcome["articles"] == 3  # two pages and the PDF's entry
    assert sum(bool(r["relevant"]) for r in classified) == outcome["relevant"]
    volatile = ("fetched_at", "duration_ms", "file")
    pages = [{k: v for k, v in p.items() if k not in volatile}
             for p in read_jsonl(split / PAGES_FILE)]
    assert [{k: v for k, v in p.items() if k not in volatile}
            for p in read_jsonl(fused / PAGES_FILE)] == pages
    assert sorted(p["page_outcome"] for p in pages) == ["error", "not_html", "ok", "ok"]
    assert not (fused / "pages").exists() and not (fused / ARTICLES_FILE).exists()
    assert len(list((split / "pages").iterdir())) == 2
