"""Errors that several layers raise, defined below all of them so that the command line, the
Airflow tasks and the library agree on what each means and how it ends a command.

| error | meaning | exit code of a command |
|---|---|---|
| ``UsageError`` | a command-line value is wrong | 2 |
| ``ConfigError`` | a configuration file is missing, unreadable or invalid | 2 |
| ``StoreError`` | the database cannot be opened, locked, or is of the wrong kind | 3 |
| ``DigestError`` | a digest cannot be built or sent as asked (week, recipient, setting) | 2 |
| ``DigestSendError`` | the SMTP server refused the digest | 4 |

Errors that belong to one stage (``FetchError``, ``FeedError``...) live with that stage.
"""

from __future__ import annotations


class UsageError(Exception):
    """A command-line value is wrong; the message says which and why."""


class ConfigError(ValueError):
    """A configuration file is missing, unreadable or holds an invalid entry."""


class StoreError(RuntimeError):
    """The database cannot be opened, upgraded or written; the message says why."""


class DigestError(ValueError):
    """The digest cannot be built or sent as asked (a bad week, recipient or setting); the
    message says what to fix."""


class DigestSendError(RuntimeError):
    """The SMTP server did not accept the digest; the message holds the server's answer."""
