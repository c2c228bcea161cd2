"""Airflow plugin: the "Press monitor" page (feed health, last runs, the week's top stories).

Registers the FastAPI app of ``pressmon.airflow.ui`` under ``/pressmon`` in the API server and a
"Press monitor" entry in the UI's navigation that shows it embedded. Every Airflow process
imports this file when it loads plugins (scheduler, DAG processor, workers), so it imports
nothing beyond Airflow's plugin base: the app, FastAPI and DuckDB are loaded by the API server
on the page's first request.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

URL_PREFIX = "/pressmon"


class LazyPressMonitorApp:
    """An ASGI app that builds ``pressmon.airflow.ui.create_app()`` when it is first called."""

    def __init__(self):
        self._app = None

    async def __call__(self, scope, receive, send):
        if self._app is None:
            from pressmon.airflow.ui import create_app

            self._app = create_app()
        await self._app(scope, receive, send)


class PressmonUIPlugin(AirflowPlugin):
    name = "pressmon"
    fastapi_apps = [
        {"app": LazyPressMonitorApp(), "url_prefix": URL_PREFIX, "name": "Press monitor"},
    ]
    external_views = [
        {
            "name": "Press monitor",
            "href": URL_PREFIX + "/",
            "url_route": "press-monitor",
            "destination": "nav",
            "category": "browse",
        },
    ]
