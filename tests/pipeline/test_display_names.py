"""Display names: an outlet's name from the titles its feeds were given or their channel
titles, and what an ingest of the sample corpus stores for them."""

from __future__ import annotations

import duckdb
import pytest

from pressmon.display_names import outlet_name, read_names


@pytest.mark.parametrize("outlet, titles, channels, urls, expected", [
    # a configured title wins, as written
    ("laprovence", ["La Provence", None], ["La Provence - Marseille", None], [], "La Provence"),
    # two feeds of one outlet: what their channel titles share
    ("laprovence", [None, None], ["La Provence - Marseille", "La Provence - Économie"], [],
     "La Provence"),
    ("miamiherald", [None, None], ["Local News | Miami Herald", "Sports | Miami Herald"], [],
     "Miami Herald"),
    # one feed: the part that spells the outlet's id or its site
    ("elnuevoherald", [None], ["el Nuevo Herald - Sur de la Florida"], [], "el Nuevo Herald"),
    ("lesechos", [None], ["Les Échos - Régions"], [], "Les Échos"),
    ("herald", [None], ["Local | The Miami Herald"], ["https://www.miamiherald.com/rss"],
     "The Miami Herald"),
    ("20minutes-marseille", [None], ["20 Minutes - Marseille"], [], "20 Minutes"),
    # nothing to tell which part is the outlet: the whole title
    ("x1", [None], ["Actualités - Marseille"], ["http://127.0.0.9/feed"],
     "Actualités - Marseille"),
    ("wlrn", [None], ["WLRN News"], [], "WLRN News"),
    # no title at all: the id
    ("gomet", [None], [None], [], "gomet"),
])
def test_outlet_name(outlet, titles, channels, urls, expected):
    assert outlet_name(outlet, titles, channels, urls) == expected


def test_sample_ingest_stores_channel_titles(sample_server, sample_sources, tmp_path):
    """After one ingest of the sample corpus the outlets have their names; the feed that never
    worked keeps its id; a second unchanged cycle rewrites nothing."""
    from pm_testing import CONFIG, run_cli

    db = tmp_path / "press.duckdb"
    for _ in range(2):
        run_cli("ingest", "--sources", str(sample_sources), "--db", str(db),
                "--missions", str(CONFIG / "missions.yaml"))
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = read_names(con)
        stamps = {r[0] for r in con.execute("SELECT updated_at FROM feed_titles").fetchall()}
    finally:
        con.close()
    assert names.outlet("laprovence") == "La Provence"
    assert names.outlet("miamiherald") == "Miami Herald"
    assert names.outlet("elnuevoherald") == "el Nuevo Herald"
    assert names.outlet("lamarseillaise") == "La Marseillaise"
    assert names.feed("laprovence-economie") == "La Provence - Économie"
    assert names.feed("lamarseillaise-culture") == "lamarseillaise-culture"  # the broken feed
    assert names.mission("miami-2017") == "Délégation métropolitaine à Miami"
    assert names.partners["miami-2017"] == "comté de Miami-Dade"
    assert len(stamps) == 1  # written by the first load only
