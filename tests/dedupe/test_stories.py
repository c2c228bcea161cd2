"""Story clustering with assign_stories on real DuckDB files."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from dedupe_testlib import dev_case, open_db, when
from pressmon.dedupe import assign_stories, signature, story_id_for


def item(article_id, text, day, published=True):
    return {"article_id": article_id, "published_at": when(day) if published else None,
            "first_seen_at": when(day) + timedelta(hours=1), "signature": signature(text)}


def groups(result):
    out = {}
    for a, s in result.items():
        out.setdefault(s, set()).add(a)
    return sorted(sorted(g) for g in out.values())


def load(con, items, **kw):
    con.execute("BEGIN")
    result = assign_stories(con, items, **kw)
    con.execute("COMMIT")
    return result


def case_items(name, prefix=""):
    case = dev_case(name)
    return [item(prefix + a["id"], a["text"], i * 0.1) for i, a in enumerate(case["articles"])]


WIRE = case_items("fr_copy_01_wire_lead")            # a, b, c: one story
OTHER = case_items("en_copy_02_dropped_paragraph", "o_")   # o_a, o_b: one story
DISTINCT = case_items("fr_distinct_01_same_event_quotes", "q_")


def test_copies_group_and_the_earliest_is_the_original(db):
    """Wire copies form one story whose original is the earliest published member."""
    result = load(db, WIRE + OTHER + DISTINCT)
    assert groups(result) == [["a", "b", "c"], ["o_a", "o_b"], ["q_a"], ["q_b"]]
    sid = result["a"]
    assert db.execute("SELECT original_article_id, article_count FROM stories WHERE story_id = ?",
                      [sid]).fetchone() == ("a", 3)
    assert sid == story_id_for("a")


def test_order_independence(tmp_path):
    """The same batch in any order, in one load or several, gives the same grouping and ids."""
    items = WIRE + OTHER + DISTINCT
    reference = None
    for n, seed in enumerate([None, 1, 2, 3]):
        con = open_db(tmp_path / f"order{n}.duckdb")
        order = list(items)
        if seed is not None:
            random.Random(seed).shuffle(order)
        result = load(con, order)
        con.close()
        reference = reference or result
        assert result == reference
    con = open_db(tmp_path / "batches.duckdb")
    result = {}
    for chunk in (items[4:], items[:4]):  # the later copies arrive first
        result.update(load(con, chunk))
    con.close()
    assert groups(result) == groups(reference)


def test_ids_stable_across_two_loads(db):
    """Reloading the same articles (text unchanged or changed) keeps every story_id."""
    first = load(db, WIRE + DISTINCT)
    second = load(db, WIRE + DISTINCT)
    assert second == first
    edited = [dict(i, signature=signature("Texte entièrement réécrit " * 20)) if i["article_id"] == "b" else i
              for i in WIRE]
    assert load(db, edited) == {k: first[k] for k in ("a", "b", "c")}
    assert db.execute("SELECT count(*) FROM story_members").fetchone()[0] == 5
    assert db.execute("SELECT count(*) FROM stories").fetchone()[0] == 3


def test_late_copy_joins_and_earlier_copy_becomes_original(db):
    """A copy seen in a later load joins the existing story; one published earlier than the
    current original becomes the original; the story keeps its id."""
    a, b, c = WIRE
    first = load(db, [b])
    late = load(db, [c])
    assert late["c"] == first["b"]
    earlier = dict(a, published_at=when(-1), first_seen_at=when(1))
    assert load(db, [earlier])["a"] == first["b"]
    assert db.execute("SELECT original_article_id, article_count FROM stories").fetchall() == [("a", 3)]


def test_window(tmp_path):
    """Copies further apart than the window are not compared; a wider window links them."""
    a, b, _ = WIRE
    far = dict(b, published_at=when(12), first_seen_at=when(12))
    con = open_db(tmp_path / "w7.duckdb")
    result = load(con, [a, far])
    con.close()
    assert result["a"] != result["b"]
    con = open_db(tmp_path / "w14.duckdb")
    result = load(con, [a, far], window_days=14)
    con.close()
    assert result["a"] == result["b"]


def test_window_uses_first_seen_when_no_published_date(db):
    """Without a published date, the first-seen date places the article in the window."""
    a, b, _ = WIRE
    undated = dict(b, published_at=None, first_seen_at=when(2))
    result = load(db, [a, undated])
    assert result["a"] == result["b"]


@pytest.mark.parametrize("name", [
    "fr_distinct_01_same_event_quotes", "fr_distinct_02_followup_background",
    "fr_distinct_03_newsletter_box", "en_distinct_01_same_event_quotes",
    "en_distinct_03_newsletter_box", "en_distinct_04_two_angles",
    "es_distinct_02_followup_background", "es_distinct_05_disclaimer_and_links",
])
def test_tricky_non_copies_stay_apart(db, name):
    """Shared quotes and names, a reused background paragraph, shared boilerplate: not copies."""
    result = load(db, case_items(name))
    assert len(set(result.values())) == len(result)


@pytest.mark.parametrize("name", [
    "fr_copy_03_lead_and_drop", "en_copy_04_same_outlet_update", "es_copy_02_dropped_paragraph",
])
def test_copies_with_heavier_edits_group(db, name):
    """Rewritten lead plus dropped paragraph plus appended box (about 30 %) is still a copy."""
    result = load(db, case_items(name))
    assert len(set(result.values())) == 1


def test_empty_texts_are_not_grouped(db):
    """Articles without text never match each other."""
    result = load(db, [item("e1", "", 0), item("e2", "", 0)])
    assert result["e1"] != result["e2"]


def test_validation_names_the_item(db):
    """Bad items are refused with a message naming the article and the field."""
    good = item("x", "texte", 0)
    with pytest.raises(ValueError, match="appears twice"):
        assign_stories(db, [good, dict(good)])
    with pytest.raises(ValueError, match="aware datetime"):
        assign_stories(db, [dict(good, published_at=when(0).replace(tzinfo=None))])
    with pytest.raises(ValueError, match="signature of 'x'"):
        assign_stories(db, [dict(good, signature=[1, 2, 3])])
    assert assign_stories(db, []) == {}


def test_v_stories(db):
    """v_stories: one row per story with the original, copies, outlets, regions, languages."""
    rows = [("a", "agence", "national", "fr", False, None, 0.0),
            ("b", "quotidien", "marseille", "fr", True, "miami-2017", 0.1),
            ("c", "herald", "miami", "en", False, "miami-2017", 0.2)]
    for aid, outlet, region, lang, relevant, mission, day in rows:
        db.execute("""INSERT INTO articles (article_id, source, outlet, region, url, canonical_url, title,
                      published_at, first_seen_at, last_seen_at, content_hash, language, relevant, mission_id)
                      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'h', ?, ?, ?)""",
                   [aid, outlet, outlet, region, f"https://{outlet}.example/{aid}",
                    f"https://{outlet}.example/{aid}", f"title {aid}", when(day), when(day), when(day),
                    lang, relevant, mission])
    result = load(db, WIRE)
    for aid, sid in result.items():
        db.execute("UPDATE articles SET story_id = ? WHERE article_id = ?", [sid, aid])
    row = db.execute("""SELECT original_article_id, original_title, original_outlet, original_url,
                               article_count, copy_count, outlets, regions, languages, relevant, mission_id
                        FROM v_stories""").fetchall()
    assert row == [("a", "title a", "agence", "https://agence.example/a", 3, 2,
                    ["agence", "herald", "quotidien"], ["marseille", "miami", "national"], ["en", "fr"],
                    True, "miami-2017")]


def test_index_built_with_other_parameters_is_refused(db):
    """Signatures made with other MinHash parameters are never compared silently."""
    load(db, WIRE[:1])
    db.execute("UPDATE story_index_meta SET num_perm = 64")
    with pytest.raises(RuntimeError, match="re-sign the stored articles"):
        assign_stories(db, WIRE[1:])
