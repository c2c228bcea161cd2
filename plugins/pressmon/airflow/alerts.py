"""Failure alerts for the pressmon DAGs: an e-mail to the operators when a task fails.

``failure_notifier()`` gives the ``on_failure_callback`` both DAGs put in their
``default_args``. It is the SMTP provider's ``SmtpNotifier`` (connection ``smtp_default``),
with a message (plain text and HTML) naming the DAG, the task (and the feed, for a mapped
task), the try when the task can be retried, the error (wrapped, whatever its length), the
link to the task's log and to the Press monitor page. The recipients come from the Airflow Variable
``pressmon_alert_recipients`` (addresses separated by commas or semicolons), rendered when the
alert is sent: nothing here touches a Variable, a connection or the database while a DAG file
is parsed. Without recipients the alert is logged and skipped instead of failing the callback.

The log link is built from ``[api] base_url``: set it to the address operators open.
"""

from __future__ import annotations

import copy
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from airflow.providers.smtp.notifications.smtp import SmtpNotifier

RECIPIENTS_VARIABLE = "pressmon_alert_recipients"
SMTP_CONN_ID = "smtp_default"

MONITOR_ROUTE = "plugin/press-monitor"  # the UI's route for plugins/pressmon_ui.py's view

# "try N of M" only for a task that can be retried: a task without retries has one try.
SUBJECT = (
    "[pressmon] {{ ti.dag_id }}: {{ ti.task_id }}"
    "{% if ti.map_index is not none and ti.map_index >= 0 %} [{{ ti.rendered_map_index or ti.map_index }}]{% endif %}"
    " failed"
    "{% if ti.max_tries is defined and ti.max_tries %} (try {{ ti.try_number }} of {{ ti.max_tries + 1 }}){% endif %}"
)

# The links are derived from the task's log URL (built by Airflow from [api] base_url).
_LINKS = (
    "{% set base = (ti.log_url or '').split('/dags/')[0] %}"
    "{% set monitor = base ~ '/" + MONITOR_ROUTE + "' if base else '' %}"
)

# Autoescaping is off in Airflow's template environment: every value that comes from a run
# (an exception can quote a remote server's answer) is escaped explicitly. The error wraps
# (pre-wrap, break anywhere): a long URL must not make the message wider than the screen.
HTML = _LINKS + """\
<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="margin:0;padding:12px;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1a202c;">
<div style="max-width:680px;">
<p style="margin:0 0 10px;font-size:16px;"><b>A pressmon task failed</b></p>
<table role="presentation" cellpadding="4" cellspacing="0" style="border-collapse:collapse;width:100%;table-layout:fixed;">
<tr><th align="left" valign="top" width="90" style="width:90px;">DAG</th><td style="overflow-wrap:anywhere;">{{ ti.dag_id | e }}</td></tr>
<tr><th align="left" valign="top">Task</th><td style="overflow-wrap:anywhere;">{{ ti.task_id | e }}</td></tr>
{% if ti.map_index is not none and ti.map_index >= 0 %}
<tr><th align="left" valign="top">Feed</th><td style="overflow-wrap:anywhere;">{{ (ti.rendered_map_index or ti.map_index) | e }}</td></tr>
{% endif %}
<tr><th align="left" valign="top">Run</th><td style="overflow-wrap:anywhere;">{{ ti.run_id | e }}</td></tr>
{% if ti.max_tries is defined and ti.max_tries %}
<tr><th align="left" valign="top">Try</th><td>{{ ti.try_number }} of {{ ti.max_tries + 1 }}</td></tr>
{% endif %}
<tr><th align="left" valign="top">Error</th><td><pre style="margin:0;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;font-size:13px;background:#fff5f5;padding:6px;">{{ exception | default('') | string | e }}</pre></td></tr>
<tr><th align="left" valign="top">Log</th><td>{% if ti.log_url %}<a href="{{ ti.log_url | e }}">open the task's log</a>{% endif %}</td></tr>
</table>
<p>Feed health and the last runs: {% if monitor %}<a href="{{ monitor | e }}">Press monitor</a>{% else %}Press monitor{% endif %} (Browse &gt; Press monitor in the Airflow UI).</p>
</div>
</body></html>
"""

TEXT = _LINKS + """\
A pressmon task failed.

DAG:   {{ ti.dag_id }}
Task:  {{ ti.task_id }}
{% if ti.map_index is not none and ti.map_index >= 0 %}Feed:  {{ ti.rendered_map_index or ti.map_index }}
{% endif %}Run:   {{ ti.run_id }}
{% if ti.max_tries is defined and ti.max_tries %}Try:   {{ ti.try_number }} of {{ ti.max_tries + 1 }}
{% endif %}
Error:
{{ exception | default('') | string }}

Log: {{ ti.log_url or '' }}
Feed health and the last runs, Press monitor: {{ monitor }}
"""


class AlertNotifier(SmtpNotifier):
    """``SmtpNotifier`` that renders a copy of itself per failure, skips empty recipients, and
    mails a plain-text part with the HTML one.

    Airflow renders a notifier's template fields in place; a copy keeps the templates intact
    when one process reports several failures (a DAG parsed once, several callbacks). The
    provider's hook sends HTML only: the hook opens and authenticates the session, and a
    multipart/alternative message goes through that session's client.
    """

    template_fields = (*SmtpNotifier.template_fields, "text_content")

    def __init__(self, *, text_content: str = "", **kwargs):
        super().__init__(**kwargs)
        self.text_content = text_content

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
        with self.hook as session:
            self._build_email_content(session, context)
            msg = EmailMessage()
            msg["Subject"] = " ".join(str(self.subject).split())
            msg["From"] = self.from_email
            msg["To"] = ", ".join(recipients)
            msg["Date"] = formatdate(localtime=False)
            msg["Auto-Submitted"] = "auto-generated"
            msg.set_content(self.text_content or "", charset="utf-8")
            msg.add_alternative(self.html_content or "", subtype="html", charset="utf-8")
            client = getattr(session, "_smtp_client", None)
            if client is None:
                raise RuntimeError(f"SMTP connection {self.smtp_conn_id} opened no session")
            client.send_message(msg, from_addr=parseaddr(str(self.from_email))[1],
                                to_addrs=[parseaddr(r)[1] for r in recipients])


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
        text_content=TEXT,
        smtp_conn_id=smtp_conn_id,
    )
