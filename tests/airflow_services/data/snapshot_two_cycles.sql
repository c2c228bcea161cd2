-- Two loaded cycles over three feeds; in the second, lavoixdumiami fails, miamiherald is not
-- modified, and vieuxflux (a fourth feed that has not worked since October) is backed off.
-- Relevant articles in 2017-W45 form two stories: one carried by two outlets, one by a single
-- outlet. A title holds markup, which the page must show as text. Display names: miamiherald
-- has a channel title, gomet a configured title; the mission has a name.
INSERT INTO sources VALUES
  ('gomet', 'http://127.0.0.2:8000/feed.xml', 'marseille', 'fr', 'gomet', 1, true, TIMESTAMPTZ '2017-11-08 09:00:00+00'),
  ('miamiherald', 'http://127.0.0.3:8000/rss', 'miami', 'en', 'miamiherald', 2, false, TIMESTAMPTZ '2017-11-08 09:00:00+00'),
  ('lavoixdumiami', 'http://127.0.0.4:8000/feed', 'miami', 'fr', 'lavoixdumiami', 3, false, TIMESTAMPTZ '2017-11-08 09:00:00+00'),
  ('vieuxflux', 'http://127.0.0.5:8000/rss', 'marseille', 'fr', 'vieuxflux', 4, true, TIMESTAMPTZ '2017-11-08 09:00:00+00');

INSERT INTO feed_titles VALUES
  ('gomet', 'GoMet', 'GoMet''', TIMESTAMPTZ '2017-11-08 09:00:00+00'),
  ('miamiherald', NULL, 'Miami Herald - Local', TIMESTAMPTZ '2017-11-08 09:00:00+00');

INSERT INTO missions VALUES ('miami-2017', 'Délégation métropolitaine à Miami', 'Miami-Dade County',
  DATE '2017-11-05', DATE '2017-11-10', 'miami', []);

-- Cycle figures live on the fetch_log rows (the `cycles` view sums them): cycle 1 brought
-- 4 new articles (3 relevant, 3 new stories), cycle 2 brought 17 (2 relevant, 1 new story).
INSERT INTO fetch_log (cycle_id, source, url, started_at, outcome, http_status, error, items,
                       duration_ms, new_articles, runner, loaded_at, updated_articles,
                       relevant_articles, new_stories, rules_version) VALUES
  ('af-manual-1', 'gomet', 'http://127.0.0.2:8000/feed.xml', TIMESTAMPTZ '2017-11-08 08:00:01+00', 'ok', 200, NULL, 3, 40, 2, 'manual__2017-11-08T08:00:00+00:00', TIMESTAMPTZ '2017-11-08 08:02:00+00', 0, 1, 1, 'r1'),
  ('af-manual-1', 'miamiherald', 'http://127.0.0.3:8000/rss', TIMESTAMPTZ '2017-11-08 08:00:01+00', 'ok', 200, NULL, 2, 35, 1, 'manual__2017-11-08T08:00:00+00:00', TIMESTAMPTZ '2017-11-08 08:02:00+00', 0, 1, 1, 'r1'),
  ('af-manual-1', 'lavoixdumiami', 'http://127.0.0.4:8000/feed', TIMESTAMPTZ '2017-11-08 08:00:01+00', 'ok', 200, NULL, 1, 30, 1, 'manual__2017-11-08T08:00:00+00:00', TIMESTAMPTZ '2017-11-08 08:02:00+00', 0, 1, 1, 'r1'),
  ('af-manual-2', 'gomet', 'http://127.0.0.2:8000/feed.xml', TIMESTAMPTZ '2017-11-08 09:00:01+00', 'ok', 200, NULL, 3, 20, 17, 'manual__2017-11-08T09:00:00+00:00', TIMESTAMPTZ '2017-11-08 09:01:00+00', 0, 2, 1, 'r1'),
  ('af-manual-2', 'miamiherald', 'http://127.0.0.3:8000/rss', TIMESTAMPTZ '2017-11-08 09:00:01+00', 'not_modified', 304, NULL, NULL, 10, 0, 'manual__2017-11-08T09:00:00+00:00', TIMESTAMPTZ '2017-11-08 09:01:00+00', 0, 0, 0, 'r1'),
  ('af-manual-2', 'lavoixdumiami', 'http://127.0.0.4:8000/feed', TIMESTAMPTZ '2017-11-08 09:00:01+00', 'error', NULL, 'timed out after 20 s', NULL, 20000, 0, 'manual__2017-11-08T09:00:00+00:00', TIMESTAMPTZ '2017-11-08 09:01:00+00', 0, 0, 0, 'r1'),
  ('af-manual-2', 'vieuxflux', 'http://127.0.0.5:8000/rss', TIMESTAMPTZ '2017-11-08 09:00:01+00', 'skipped', NULL, 'backing off after 9 consecutive failures; next attempt at 2099-01-01 10:00 CET', NULL, 0, 0, 'manual__2017-11-08T09:00:00+00:00', TIMESTAMPTZ '2017-11-08 09:01:00+00', 0, 0, 0, 'r1');

INSERT INTO feed_state (source, consecutive_failures, last_success_at, last_error_at, last_error, updated_at) VALUES
  ('gomet', 0, TIMESTAMPTZ '2017-11-08 09:00:01+00', NULL, NULL, TIMESTAMPTZ '2017-11-08 09:00:01+00'),
  ('miamiherald', 0, TIMESTAMPTZ '2017-11-08 09:00:01+00', NULL, NULL, TIMESTAMPTZ '2017-11-08 09:00:01+00'),
  ('lavoixdumiami', 1, TIMESTAMPTZ '2017-11-08 08:00:01+00', TIMESTAMPTZ '2017-11-08 09:00:01+00', 'timed out after 20 s', TIMESTAMPTZ '2017-11-08 09:00:01+00'),
  ('vieuxflux', 9, TIMESTAMPTZ '2017-10-01 08:00:01+00', TIMESTAMPTZ '2017-11-08 07:00:01+00', 'not a feed: text/html page (HTTP 200) at http://127.0.0.5:8000/rss, which now redirects to the outlet''s home page after the site was rebuilt', TIMESTAMPTZ '2017-11-08 07:00:01+00');
UPDATE feed_state SET next_attempt_at = TIMESTAMPTZ '2099-01-01 09:00:00+00' WHERE source = 'vieuxflux';

INSERT INTO articles (article_id, source, outlet, region, url, canonical_url, title, published_at, first_seen_at, last_seen_at, cycle_id, content_hash, language, relevant, mission_id, story_id) VALUES
  ('a1', 'gomet', 'gomet', 'marseille', 'http://127.0.0.2:8000/2017/11/accord-miami.html', 'http://127.0.0.2:8000/2017/11/accord-miami.html', 'Marseille et Miami-Dade signent un accord', TIMESTAMPTZ '2017-11-07 10:00:00+00', TIMESTAMPTZ '2017-11-08 08:00:05+00', TIMESTAMPTZ '2017-11-08 08:00:05+00', 'af-manual-1', 'h1', 'fr', true, 'miami-2017', 's-accord'),
  ('a2', 'miamiherald', 'miamiherald', 'miami', 'http://127.0.0.3:8000/news/sister-city.html', 'http://127.0.0.3:8000/news/sister-city.html', 'Miami-Dade and Marseille become sister cities', TIMESTAMPTZ '2017-11-07 15:00:00+00', TIMESTAMPTZ '2017-11-08 08:00:06+00', TIMESTAMPTZ '2017-11-08 08:00:06+00', 'af-manual-1', 'h2', 'en', true, 'miami-2017', 's-accord'),
  ('a3', 'lavoixdumiami', 'lavoixdumiami', 'miami', 'javascript:alert(1)', 'http://127.0.0.4:8000/croisieres', 'Croisières: <script>alert("x")</script> PortMiami & Marseille', TIMESTAMPTZ '2017-11-09 07:00:00+00', TIMESTAMPTZ '2017-11-09 08:00:06+00', TIMESTAMPTZ '2017-11-09 08:00:06+00', 'af-manual-1', 'h3', 'fr', true, 'miami-2017', 's-cruise'),
  ('a4', 'gomet', 'gomet', 'marseille', 'http://127.0.0.2:8000/2017/11/om.html', 'http://127.0.0.2:8000/2017/11/om.html', 'L''OM gagne', TIMESTAMPTZ '2017-11-07 20:00:00+00', TIMESTAMPTZ '2017-11-08 08:00:07+00', TIMESTAMPTZ '2017-11-08 08:00:07+00', 'af-manual-1', 'h4', 'fr', false, NULL, 's-om');
