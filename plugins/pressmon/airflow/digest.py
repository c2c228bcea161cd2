"""The task bodies of ``press_weekly_digest``: render the week's digest from the snapshot, then
send it once through Airflow's SMTP connection (in the writers' pool)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from email.message import EmailMessage

from ..dates import paris_time
from ..digest.command import preview, write_file
from ..digest.config import (RECIPIENTS_VARIABLE, digest_config_path, load_digest_config,
                             parse_recipients)
from ..digest.send import Transport, deliver, send_digest, smtp_error
from ..digest.weeks import parse_week, previous_week_of
from ..errors import ConfigError, DigestError, DigestSendError, StoreError
from ..settings import get_paths

log = logging.getLogger("pressmon.digest")


def late_start(context: dict, limit_hours: float,
               now: dt.datetime | None = None) -> tuple[dt.datetime, dt.timedelta] | None:
    """When this run was made by the schedule and starts more than ``limit_hours`` after its
    scheduled time (a catch-up after the DAG was paused, an old run cleared): that time and
    the delay. None for a timely run and for any run triggered by hand (never late)."""
    dag_run = context.get("dag_run")
    run_type = getattr(getattr(dag_run, "run_type", None), "value",
                       getattr(dag_run, "run_type", None))
    if run_type != "scheduled":
        return None
    scheduled = getattr(dag_run, "run_after", None) or context.get("logical_date")
    if scheduled is None:
        return None
    if scheduled.tzinfo is None:
        scheduled = scheduled.replace(tzinfo=dt.timezone.utc)
    delay = (now or dt.datetime.now(dt.timezone.utc)) - scheduled
    return (scheduled, delay) if delay > dt.timedelta(hours=limit_hours) else None


def late_message(week: str, scheduled: dt.datetime, delay: dt.timedelta,
                 limit_hours: float) -> str:
    hours = delay.total_seconds() / 3600
    return (f"digest {week} not sent: this run was scheduled for {paris_time(scheduled)} and "
            f"starts {hours:.0f} h late (a scheduled run sends only within {limit_hours:g} h "
            f"of its time: send_within_hours in digest.yaml). To send this week anyway, "
            f"trigger press_weekly_digest by hand with week={week} (and force=true if it was "
            f"already sent).")


def _airflow_week(context: dict) -> str:
    params = context.get("params") or {}
    if params.get("week"):
        return parse_week(str(params["week"])).label
    moment = context.get("logical_date")
    if moment is None:
        dag_run = context.get("dag_run")
        moment = getattr(dag_run, "run_after", None) or dt.datetime.now(dt.timezone.utc)
    return previous_week_of(moment)


def render_digest(context: dict) -> dict:
    """DAG task ``render``: build the week's digest from the snapshot and keep a preview
    (``exports/digest-WEEK.html``) beside the database; no database write, no pool."""
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    paths = get_paths()
    try:
        week = _airflow_week(context)
        digest, (subject, html_body, text_body) = preview(paths, week)
    except (DigestError, ConfigError) as exc:
        raise AirflowFailException(str(exc)) from None
    except StoreError as exc:
        raise AirflowException(str(exc)) from None
    out = write_file(str(paths.exports_dir / f"digest-{week}.html"), html_body.encode("utf-8"))
    log.info("digest %s: %s\n%s", week, subject, text_body)
    params = context.get("params") or {}
    late = late_start(context, digest.config.send_within_hours)
    if late and not params.get("force"):
        log.warning("%s", late_message(week, *late, digest.config.send_within_hours))
    return {"week": week, "subject": subject, "stories": digest.story_count,
            "articles": digest.article_count, "empty": digest.empty, "preview": str(out)}


def recipients_from_airflow(paths) -> list[str]:
    """The Airflow Variable ``pressmon_digest_recipients`` (comma separated), else
    ``recipients`` in ``config/digest.yaml``."""
    from airflow.sdk import Variable

    value = Variable.get(RECIPIENTS_VARIABLE, default=None)
    recipients = parse_recipients(value)
    if recipients:
        return recipients
    return list(load_digest_config(digest_config_path(paths)).recipients)


def hook_transport(conn_id: str = "smtp_default") -> Transport:
    """Delivery through Airflow's SMTP provider connection (host, port, SSL/STARTTLS, login).

    The hook's own ``send_email_smtp`` builds an HTML-only message; the digest is
    multipart/alternative, so the hook opens and authenticates the session and the digest's
    own message goes through that session's client.
    """
    def send(msg: EmailMessage, sender: str, recipients: list[str]) -> dict:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        hook = SmtpHook(smtp_conn_id=conn_id)
        try:
            with hook as session:
                client = getattr(session, "_smtp_client", None)
                if client is None:
                    raise DigestSendError(f"SMTP connection {conn_id} opened no session")
                return deliver(client, msg, sender, recipients,
                               f"{session.host}:{session.port} ({conn_id})")
        except DigestSendError:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            raise DigestSendError(f"cannot deliver through SMTP connection {conn_id}: "
                                  f"{smtp_error(exc)}") from None

    return send


def send_digest_once(context: dict, conn_id: str = "smtp_default") -> dict:
    """DAG task ``send`` (pool ``duckdb_writer``): send once and record it in ``digest_log``.

    Already sent: a success that sends nothing. Refused by the server: the task fails with the
    server's answer (and retries), nothing recorded. Some recipients refused: recorded as sent
    to the others, and the task fails without retry so an operator sees it.
    """
    from airflow.sdk.exceptions import (AirflowException, AirflowFailException,
                                        AirflowSkipException)

    paths = get_paths()
    params = context.get("params") or {}
    try:
        week = _airflow_week(context)
        config = load_digest_config(digest_config_path(paths))
        late = late_start(context, config.send_within_hours)
        if late and not params.get("force"):
            message = late_message(week, *late, config.send_within_hours)
            log.warning("%s", message)
            raise AirflowSkipException(message)
        recipients = recipients_from_airflow(paths)
        if not recipients:
            raise DigestError(
                f"digest {week} not sent: no recipients. Set the Airflow Variable "
                f"{RECIPIENTS_VARIABLE} (addresses separated by commas) or recipients in "
                f"{digest_config_path(paths)}")
        sender = config.sender
        if config.path is None:
            # no digest.yaml: the connection's from_email, when set, names the sender
            from airflow.providers.smtp.hooks.smtp import SmtpHook

            sender = SmtpHook(smtp_conn_id=conn_id).from_email or sender
        result = send_digest(paths, week, recipients, force=bool(params.get("force")),
                             sender=sender, transport=hook_transport(conn_id))
    except (DigestError, ConfigError) as exc:
        log.error("%s", exc)  # the cause first, before Airflow's traceback
        raise AirflowFailException(str(exc)) from None
    except (DigestSendError, StoreError) as exc:
        log.error("%s", exc)
        raise AirflowException(str(exc)) from None
    if result["status"] == "already_sent":
        log.info("digest %s already sent (message %s): nothing to do", week,
                 result["message_id"])
    elif result["refused"]:
        raise AirflowFailException(
            f"digest {week} sent to {', '.join(result['recipients'])} but refused for: " +
            "; ".join(f"{r}: {a}" for r, a in result["refused"].items()))
    return {k: (str(v) if isinstance(v, dt.datetime) else v) for k, v in result.items()
            if k != "previous"}
