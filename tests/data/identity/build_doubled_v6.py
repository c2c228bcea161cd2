"""Builds ``doubled-v6/``: a database written by pressmon at schema version 6, when an article's
identity was (outlet, canonical URL) and a feed without ``outlet`` was its own outlet, so that
two feeds of one site listing one URL stored it twice. Kept as a DuckDB export (Parquet), the
input of the test of migration 007.

Run with the code of that version (the commit before migration 007) checked out elsewhere:

    git archive 902a6b1 | tar -x -C /tmp/pm-v6
    .venv/bin/python tests/data/identity/build_doubled_v6.py --code /tmp/pm-v6

Three cycles on two loopback sites: site alpha has two feeds (une, eco) without ``outlet``,
site beta one feed.
- cycle 1: the agreement story is listed by both alpha feeds (once with tracking parameters)
  and copied by beta; the tram story only by alpha-une;
- cycle 2: the agreement is edited (both alpha rows get a revision); the port story and
  the budget story appears in alpha-eco only;
- cycle 3: alpha-une lists the port story too (a second row, first seen one cycle later), and
  the budget story, rewritten in between: its second row has another text and its own story,
  which beta's copy of the rewritten text joins.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "sample"))

TEXTS = {
    "accord": ("La Métropole Aix-Marseille-Provence a signé mardi à Miami un accord de coopération "
               "avec le comté de Miami-Dade, une première pour la collectivité. Le texte porte sur "
               "l'économie, le tourisme, les croisières et les échanges entre le port de Marseille "
               "et PortMiami. Cent vingt chefs d'entreprise et élus accompagnent la délégation.\n\n"
               "Euroméditerranée a présenté ses projets aux investisseurs américains réunis pour "
               "l'occasion dans les salons de la mairie de Miami. Les deux territoires prévoient "
               "des visites croisées dès le printemps prochain et un comité de suivi annuel."),
    "tram": ("Le tramway de Marseille sera prolongé vers le nord de la ville à partir de 2019, a "
             "annoncé la régie des transports lors d'une réunion publique qui a réuni plusieurs "
             "centaines d'habitants. Les travaux dureront trois ans et coûteront quatre cents "
             "millions d'euros. Les commerçants du boulevard craignent une baisse de leur chiffre "
             "d'affaires pendant le chantier et demandent des indemnisations rapides."),
    "port": ("Le Grand port maritime de Marseille a accueilli cette semaine une délégation de "
             "PortMiami venue étudier le branchement électrique des quais, dans le prolongement de "
             "l'accord signé à Miami par la Métropole Aix-Marseille-Provence. Les ingénieurs "
             "américains ont visité les terminaux de croisière et rencontré les armateurs.\n\n"
             "Les deux ports veulent partager leurs données sur les escales et la qualité de l'air, "
             "et préparer une candidature commune à un programme européen de recherche."),
    "budget": ("Le conseil de la Métropole a voté jeudi un budget de 3,2 milliards d'euros pour "
               "2018, en hausse de quatre pour cent, porté par les transports et la voirie. "
               "L'opposition a dénoncé un endettement qui dépasse désormais les deux milliards et "
               "réclamé un audit des syndicats mixtes avant tout nouvel emprunt.\n\n"
               "La présidente a répondu que les investissements préparent la candidature aux Jeux "
               "et que la dette reste inférieure à celle des autres métropoles françaises."),
    "budget2": ("Après six heures de débat, les élus métropolitains ont adopté le budget primitif "
                "2018 par 140 voix contre 52. Les transports en commun absorbent près d'un tiers "
                "des dépenses d'équipement, dont la prolongation du tramway vers Sainte-Marthe et "
                "de nouveaux bus à haut niveau de service.\n\n"
                "Le groupe d'opposition a voté contre en pointant la hausse de la taxe sur les "
                "ordures ménagères, que la majorité justifie par la mise aux normes des centres "
                "de tri de l'étang de Berre."),
}


def page(title, text, published):
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    return (f"<!doctype html><html lang=fr><head><title>{title}</title>"
            f'<meta property="article:published_time" content="{published}"></head><body>'
            f"<article><h1>{title}</h1>{paras}</article></body></html>")


def rss(items):
    out = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
           "<link>{{base}}/</link><description>d</description>"]
    for it in items:
        upd = (f"<atom:updated xmlns:atom='http://www.w3.org/2005/Atom'>{it['updated']}"
               "</atom:updated>") if it.get("updated") else ""
        out.append(f"<item><title>{it['title']}</title><link>{{{{base}}}}{it['path']}</link>"
                   f"<guid>{{{{base}}}}{it['path']}</guid><pubDate>{it['date']}</pubDate>{upd}"
                   "</item>")
    out.append("</channel></rss>")
    return "".join(out)


def write(root, site, path, text):
    f = root / site / path.lstrip("/")
    if path.endswith("/"):
        f = f / "index.html"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(text, encoding="utf-8")


ACCORD = {"title": "Accord signé avec Miami-Dade", "path": "/a/accord/",
          "date": "Tue, 07 Nov 2017 10:00:00 +0100"}
TRAM = {"title": "Le tram prolongé", "path": "/a/tram/", "date": "Mon, 06 Nov 2017 10:00:00 +0100"}
PORT = {"title": "PortMiami au port de Marseille", "path": "/a/port/",
        "date": "Thu, 09 Nov 2017 09:00:00 +0100"}
BUDGET = {"title": "Le budget de la Métropole voté", "path": "/a/budget/",
          "date": "Fri, 10 Nov 2017 18:00:00 +0100"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--code", type=Path, required=True, help="a pressmon checkout at schema 6")
    ap.add_argument("--out", type=Path, default=HERE / "doubled-v6")
    args = ap.parse_args()
    from siteserver import SiteServer, load_sites

    tmp = Path(tempfile.mkdtemp(prefix="pm-doubled-"))
    sites = tmp / "sites"
    for name in ("alpha", "beta"):
        (sites / name).mkdir(parents=True)
    (sites / "sites.yaml").write_text(yaml.safe_dump({"sites": [
        {"name": "alpha", "address": "127.0.3.1", "root": "alpha"},
        {"name": "beta", "address": "127.0.3.2", "root": "beta"}]}))
    write(sites, "alpha", "/a/accord/", page(ACCORD["title"], TEXTS["accord"],
                                             "2017-11-07T10:00:00+01:00"))
    write(sites, "alpha", "/a/tram/", page(TRAM["title"], TEXTS["tram"], "2017-11-06T10:00:00+01:00"))
    write(sites, "beta", "/b/miami/", page("Marseille et Miami-Dade signent",
                                           TEXTS["accord"].replace("a signé mardi",
                                                                   "a officiellement signé ce mardi"),
                                           "2017-11-07T12:00:00+01:00"))
    tracked = dict(ACCORD, path="/a/accord/?utm_source=rss&utm_medium=eco")
    write(sites, "alpha", "/une.xml", rss([ACCORD, TRAM]))
    write(sites, "alpha", "/eco.xml", rss([tracked]))
    write(sites, "beta", "/feed.xml", rss([{"title": "Marseille et Miami-Dade signent",
                                            "path": "/b/miami/",
                                            "date": "Tue, 07 Nov 2017 12:00:00 +0100"}]))
    env = dict(os.environ, PYTHONPATH=str(args.code / "plugins"))
    db = tmp / "db" / "press.duckdb"
    with SiteServer(load_sites(sites)) as server:
        src = tmp / "sources.yaml"
        src.write_text(yaml.safe_dump({
            "fetch": {"per_host_delay_s": 0, "timeout_s": 5, "allow_private_links": True},
            "sources": [
                {"name": "alpha-une", "url": server.base_url("alpha") + "/une.xml",
                 "region": "marseille", "language": "fr"},
                {"name": "alpha-eco", "url": server.base_url("alpha") + "/eco.xml",
                 "region": "marseille", "language": "fr"},
                {"name": "beta", "url": server.base_url("beta") + "/feed.xml",
                 "region": "national", "language": "fr"}]}))

        def ingest():
            subprocess.run([sys.executable, "-c", "from pressmon.cli import main; main()",
                            "ingest", "--sources", str(src), "--db", str(db),
                            "--missions", str(args.code / "config" / "missions.yaml"),
                            "--config-dir", str(args.code / "config"), "--workers", "1"],
                           check=True, env=env, cwd=args.code)

        ingest()
        edited = TEXTS["accord"] + " Mise à jour : le conseil métropolitain ratifiera l'accord."
        write(sites, "alpha", "/a/accord/", page(ACCORD["title"] + " (mis à jour)", edited,
                                                 "2017-11-07T10:00:00+01:00"))
        upd = {"updated": "2017-11-08T09:00:00+01:00"}
        write(sites, "alpha", "/a/port/", page(PORT["title"], TEXTS["port"],
                                               "2017-11-09T09:00:00+01:00"))
        write(sites, "alpha", "/a/budget/", page(BUDGET["title"], TEXTS["budget"],
                                                 "2017-11-10T18:00:00+01:00"))
        write(sites, "alpha", "/une.xml", rss([dict(ACCORD, **upd), TRAM]))
        write(sites, "alpha", "/eco.xml", rss([dict(tracked, **upd), PORT, BUDGET]))
        server.reload()
        ingest()
        write(sites, "alpha", "/a/budget/", page(BUDGET["title"], TEXTS["budget2"],
                                                 "2017-11-10T18:00:00+01:00"))
        write(sites, "alpha", "/une.xml", rss([dict(ACCORD, **upd), TRAM, PORT, BUDGET]))
        write(sites, "beta", "/b/budget/", page("Budget 2018 adopté", TEXTS["budget2"].replace(
            "Après six heures de débat", "Au terme de six heures de débat"),
            "2017-11-10T19:00:00+01:00"))
        write(sites, "beta", "/feed.xml", rss([
            {"title": "Marseille et Miami-Dade signent", "path": "/b/miami/",
             "date": "Tue, 07 Nov 2017 12:00:00 +0100"},
            {"title": "Budget 2018 adopté", "path": "/b/budget/",
             "date": "Fri, 10 Nov 2017 19:00:00 +0100"}]))
        server.reload()
        ingest()
    if args.out.exists():
        shutil.rmtree(args.out)
    con = duckdb.connect(str(db), read_only=True)
    con.execute(f"EXPORT DATABASE '{args.out}' (FORMAT parquet)")
    con.close()
    # File names relative to the export, so that the folder can live anywhere.
    load = args.out / "load.sql"
    load.write_text(load.read_text().replace(f"'{args.out}/", "'"))
    shutil.rmtree(tmp)
    print(f"exported to {args.out}")


if __name__ == "__main__":
    main()
