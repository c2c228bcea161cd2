"""Everything of pressmon that knows Airflow, and nothing else does.

    common.py   what both DAG files share at parse time: the articles Asset, the writers'
                pool, the failure notifier (cheap to import)
    alerts.py   the failure notifier (SMTP provider)
    ingest.py   the task bodies of ``press_ingest``
    digest.py   the task bodies of ``press_weekly_digest``
    ui.py       the "Press monitor" page, a FastAPI app that ``plugins/pressmon_ui.py``
                registers with Airflow's API server

DAG files import from this package only; each task body is one call into the library.
"""
