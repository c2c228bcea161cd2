"""pressmon: press monitoring for the Métropole Aix-Marseille-Provence's international missions.

The package follows the data flow: ``config`` (what staff edit), ``fetch`` and ``feeds``
(HTTP and feed parsing), ``extract`` (main text and metadata), ``canonical`` and ``dedupe``
(one article, one row; copies, one story), ``language``/``relevance``/``topics``/``missions``
(tagging), ``store`` (DuckDB), ``digest`` (weekly email), ``pipeline`` (one ingest cycle) and
``cli``. Airflow is only touched by ``airflow_support`` and the files under ``dags/``.
"""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/pressmon/pressmon"
