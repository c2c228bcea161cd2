"""The benchmark's corpus generator and a smoke run of `scripts/bench.py --quick`.

No timing is asserted here: speed is what the benchmark prints, not what the tests check.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through it
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    benchcorpus = _script("benchcorpus")
    root = tmp_path_factory.mktemp("corpus")
    return benchcorpus.generate(root, articles=30, outlets=6, feeds=6), root


def test_sites_sources_and_pages_are_valid(corpus, tmp_path):
    """The corpus loads as siteserver sites and a sources.yaml, every feed parses, every page
    is 50-60 KB, and each language has articles."""
    from pressmon.config import load_sources
    from siteserver import SiteServer, load_sites, render_sources
    from pressmon.feeds import parse_feed

    info, root = corpus
    sites = load_sites(root)
    assert [s.address for s in sites] == [f"127.0.1.{i}" for i in range(1, 7)]
    pages = sorted((root / "sites").rglob("article-*.html"))
    assert len(pages) == info.articles == 30
    assert all(50_000 <= p.stat().st_size <= 60_000 for p in pages)
    assert set(info.languages) == {"fr", "en", "es"} and min(info.languages.values()) > 0
    with SiteServer(sites) as server:
        config = load_sources(render_sources(root / "sources.yaml", server, tmp_path / "s.yaml"))
        assert len(config.sources) == 6 and config.fetch.per_host_delay_s == 0
        listed = set()
        for source in config.sources:
            site = source.url.split("/")[2].split(":")[0]
            name = next(s.name for s in sites if s.address == site)
            feed_file = root / "sites" / name / source.url.split("/", 3)[3]
            body = server.substitute(feed_file.read_text("utf-8"), name).encode()
            parsed = parse_feed(body, url=source.url)
            assert parsed.entries, source.name
            listed.update(e.link for e in parsed.entries)
    assert len(listed) == info.articles


def test_page_text_is_the_article_and_copies_are_near_duplicates(corpus):
    """Extraction finds the article (not the chrome) in the requested language, and each
    syndicated copy's text is close to its original's."""
    from pressmon.dedupe import signature, similarity
    from pressmon.extract import extract_page
    from pressmon.language import detect_language

    info, root = corpus
    assert info.copies == len(info.copy_pairs) >= 1

    def text_of(outlet, path):
        page = (root / "sites" / outlet / path.lstrip("/")).read_bytes()
        return extract_page(page, f"http://127.0.0.1{path}")

    (copy_outlet, copy_path), (orig_outlet, orig_path) = info.copy_pairs[0]
    assert copy_outlet != orig_outlet
    copy, orig = text_of(copy_outlet, copy_path), text_of(orig_outlet, orig_path)
    assert 300 <= orig["word_count"] <= 900
    assert "window.__STATE__" not in orig["text"]
    assert similarity(signature(copy["text"]), signature(orig["text"])) >= 0.5
    lang, _conf, _mix = detect_language(orig["title"], orig["text"])
    assert lang == orig["page_language"]


def test_generator_refuses_impossible_sizes(tmp_path):
    benchcorpus = _script("benchcorpus")
    with pytest.raises(ValueError, match="one feed per outlet"):
        benchcorpus.generate(tmp_path, articles=10, outlets=4, feeds=2)
    with pytest.raises(ValueError, match="one article per feed"):
        benchcorpus.generate(tmp_path, articles=3, outlets=2, feeds=4)


def test_quick_run_prints_every_figure_heading(tmp_path):
    """`bench.py --quick` runs end to end and prints every section and a verdict per target."""
    bench = _script("bench")
    out_md = tmp_path / "B.md"
    proc = subprocess.run([sys.executable, str(SCRIPTS / "bench.py"), "--quick",
                           "--out", str(out_md)], capture_output=True, text=True, cwd=tmp_path,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # The sections issue 9 asks for, listed here rather than taken from the script itself.
    for heading in ("Corpus", "End-to-end ingest", "Unchanged cycle", "Per stage", "DuckDB load",
                    "Story clustering", "DAG parse time"):
        assert heading in bench.HEADINGS
        assert f"## {heading}\n" in proc.stdout, heading
    for figure in ("throughput:", "peak memory", "wall time:", "requests seen by the sites:",
                   "bulk insert:", "100 new vs 1,000 stored:", "press_ingest.py:"):
        assert f"- {figure}" in proc.stdout, figure
    for stage in ("fetch", "feed parsing", "extraction", "language", "relevance/topics",
                  "dedup + clustering", "load"):
        assert f"| {stage} |" in proc.stdout, stage
    assert "requests seen by the sites: **6** (target one conditional request per feed (6)) PASS" \
        in proc.stdout
    text = out_md.read_text("utf-8")
    assert "<!-- run:60 -->" in text and "CPU:" in text and "## End-to-end ingest" in text
