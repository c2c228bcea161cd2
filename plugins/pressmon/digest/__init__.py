"""The weekly digest email for communications staff.

    weeks.py    ISO weeks in Paris time and the French date labels
    config.py   ``config/digest.yaml``: sender, recipients, limits, templates
    model.py    what a digest holds (sections, stories, figures, chart)
    build.py    building it from a read-only connection (the published snapshot)
    render.py   Jinja2 templates (``templates/``), the MIME message
    send.py     SMTP delivery, exactly once per week (``digest_log``)
    command.py  ``pressmon digest``

The digest covers one ISO week, Monday to Sunday in Europe/Paris. It is built from the snapshot
published after each load; only sending opens the live database, to check and write
``digest_log``, and it does so in Airflow's one-slot ``duckdb_writer`` pool. A failed SMTP
delivery raises with the server's answer and records nothing, so a retry sends it; a recorded
digest is never sent again for its week unless forced. The Airflow tasks are in
``pressmon.airflow.digest``.
"""
