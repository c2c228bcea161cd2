"""Failure alerts for the pressmon DAGs: an e-mail to the operators when a task fails.

``failure_notifier()`` gives the ``on_failure_callback`` both DAGs put in their
``default_args``. It is the SMTP provider's ``SmtpNotifier`` (connection ``smtp_default``),
with a message naming the DAG, the task (and the feed, for a mapped task), the try number, the
error and the link to the task's log. The recipients come from the Airflow Variable
``pressmon_alert_recipients`` (addresses separated by commas or semicolons), rendered when the
alert is sent: nothing here touches a Variable, a connection or the database while a DAG file
is parsed. Without recipients the alert is logged and skipped instead of failing the callback.

The log link is built from ``[api] base_url``: set it to the address operators open.
"""

from __future__ import annotations

import copy

from airflow.providers.smtp.notifications.smtp import SmtpNotifier

RECIPIENTS_VARIABLE = "pressmon_alert_recipients"
SMTP_CONN_ID = "smtp_default"

SUBJECT = (
    "[pressmon] {{ ti.dag_id }}: {{ ti.task_id }}"
    "{% if ti.map_index is not none and ti.map_index >= 0 %} [{{ ti.rendered_map_index or ti.map_index }}]{% endif %}"
    " failed (try {{ ti.try_number }})"
)

# Autoescaping is off in Airflow's template environment: every value that comes from a run
# (an exception can quote a remote server's answer) is escaped explicitly.
HTML = """\
<html><body style="font-family: sans-serif">
<p>A pressmon task failed.</p>
<table cellpadding="4">
<tr><th align="left">DAG</th><td>{{ ti.dag_id | e }}</td></tr>
<tr><th align="left">Task</th><td>{{ ti.task_id | e }}</td></tr>
{% if ti.map_index is not none and ti.map_index >= 0 %}
<tr><th align="left">Mapped instance</th><td>{{ (ti.rendered_map_index or ti.map_index) | e }}</td></tr>
{% endif %}
<tr><th align="left">Run</th><td>{{ ti.run_id | e }}</td></tr>
<tr><th align="left">Try</th><td>{{ ti.try_number }}{% if ti.max_tries is defined %} of {{ ti.max_tries + 1 }}{% endif %}</td></tr>
<tr><th align="left">Error</th><td><pre>{{ exception | default('') | string | e }}</pre></td></tr>
<tr><th align="left">Log</th><td><a href="{{ ti.log_url | e }}">{{ ti.log_url | e }}</a></td></tr>
</table>
<p>Feed health and the last runs: the "Press monitor" page of the Airflow UI.</p>
</body></html>
"""


class AlertNotifier(SmtpNotifier):
    """``SmtpNotifier`` that renders a copy of itself per failure and skips empty recipients.

    Airflow renders a notifier's template fields in place; a copy keeps the templates intact
    when one process reports several failures (a DAG parsed once, several callbacks).
    """

    def __call__(self, *args) -> None:
        fresh = copy.copy(self)
        fresh.__dict__.pop("hook", None)
        return SmtpNotifier.__call__(fresh, *args)

    def notify(self, context) -> None:
        recipients = [a for a in _split_addresses(self.to) if a]
        if not recipients:
            self.log.warning(
                "failure alert not sent: no recipients; set the Airflow Variable %s "
                "(addresses separated by commas)", RECIPIENTS_VARIABLE)
            return
        self.to = recipients
        super().notify(context)


def _split_addresses(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.replace(";", ",").split(",")]
    return [str(part).strip() for part in value]


def failure_notifier(*, smtp_conn_id: str = SMTP_CONN_ID,
                     recipients_variable: str = RECIPIENTS_VARIABLE,
                     from_email: str | None = None) -> AlertNotifier:
    """The ``on_failure_callback`` for a pressmon DAG's ``default_args``.

    ``from_email`` defaults to the connection's ``from_email`` extra.
    """
    return AlertNotifier(
        to="{{ var.value.get('" + recipients_variable + "', '') }}",
        from_email=from_email,
        subject=SUBJECT,
        html_content=HTML,
        smtp_conn_id=smtp_conn_id,
    )
