"""The published applications under test: how each is prepared and started, and the requests driven at it.

Each step names the span and route a user should see: the route template when the app exposes one, the
method alone otherwise (datasette's regex router and radicale expose none).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.apps._client import Reply, Session

__all__ = ["ADMIN_PASSWORD", "APPS", "SLOW_APPS", "App", "Step", "prepare"]

ADMIN_PASSWORD = "Adm1n-pass-for-tests"
"""The generated Django project's superuser password, posted in the admin login form."""


@dataclass(frozen=True)
class Step:
    """One request; ``span`` and ``route`` are what the server span must say, ``status`` what the app answers."""

    method: str
    path: str
    status: int
    span: str
    route: str | None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    compare_body: bool = True
    # Builds headers/body from the replies so far (a login form needs the CSRF token of the page before).
    build: Callable[[list[Reply], Session], tuple[dict[str, str], bytes | None]] | None = None


@dataclass(frozen=True)
class App:
    """A published app: its command line, the logger of its access lines, the logger its requests log on."""

    name: str
    argv: Callable[[Path, int], list[str]]
    steps: tuple[Step, ...]
    access_logger: str | None
    app_logger: str | None
    env: dict[str, str] = field(default_factory=dict)
    cwd: Callable[[Path], Path] = lambda work: work
    known_failure: str | None = None


def _token(replies: list[Reply]) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', replies[-1].body)
    assert found, replies[-1].body[:500]
    return found.group(1).decode()


def _login(replies: list[Reply], session: Session) -> tuple[dict[str, str], bytes]:
    form = f"csrfmiddlewaretoken={_token(replies)}&username=admin&password={ADMIN_PASSWORD}&next=/admin/"
    return {"Content-Type": "application/x-www-form-urlencoded"}, form.encode()


def _bad_login(replies: list[Reply], session: Session) -> tuple[dict[str, str], bytes]:
    form = f"csrfmiddlewaretoken={_token(replies)}&username=admin&password=wrong&next=/admin/"
    return {"Content-Type": "application/x-www-form-urlencoded"}, form.encode()


PROPFIND = b'<?xml version="1.0"?><propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>'


def _django(name: str, env: dict[str, str]) -> App:
    return App(
        name=name,
        argv=lambda work, port: [
            "gunicorn",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "mysite.wsgi:application",
        ],
        cwd=lambda work: work / "mysite",
        steps=(
            Step("GET", "/admin/", 302, "GET admin/", "admin/"),
            Step("GET", "/admin/login/?next=/admin/", 200, "GET admin/login/", "admin/login/"),
            Step("POST", "/admin/login/", 200, "POST admin/login/", "admin/login/", build=_bad_login),
            Step("POST", "/admin/login/", 302, "POST admin/login/", "admin/login/", build=_login),
            Step("GET", "/admin/", 200, "GET admin/", "admin/"),
            Step("GET", "/nope/", 404, "GET", None),
        ),
        access_logger="gunicorn.access",
        app_logger="django.request",
        env=env,
    )


APPS: tuple[App, ...] = (
    App(
        # ASGI with its own CLI (click), which runs uvicorn.run(app): no framework instrumentation exists.
        name="datasette",
        argv=lambda work, port: [
            "datasette",
            "serve",
            str(work / "data.db"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        steps=(
            Step("GET", "/data/items.json?_shape=array", 200, "GET", None),
            Step("GET", "/data/items/1.json?_shape=array", 200, "GET", None),
            Step("GET", "/-/versions.json", 200, "GET", None),
            # The index counts each table's rows under a 10 ms time limit (datasette/database.py
            # table_counts): on a loaded machine the same page differs between two bare runs. Its status,
            # span and correlation are still checked; the body of the other steps is compared.
            Step("GET", "/", 200, "GET", None, compare_body=False),
            Step("GET", "/nope/x/y/z", 404, "GET", None),
        ),
        access_logger="uvicorn.access",
        app_logger=None,
    ),
    App(
        # Plain WSGI (its vendored Bottle), not Flask or Django, under gunicorn with two sync workers.
        name="pypiserver",
        argv=lambda work, port: [
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            f"pypiserver:app(roots=['{work / 'packages'}'])",
        ],
        steps=(
            Step("GET", "/", 200, "GET /", "/"),
            Step("GET", "/simple/", 200, "GET /simple/", "/simple/"),
            Step("GET", "/simple/demo-pkg/", 200, "GET /simple/:project/", "/simple/:project/"),
            Step("GET", "/simple/demo-pkg/", 200, "GET /simple/:project/", "/simple/:project/"),
            Step("GET", "/packages/", 200, "GET /packages/", "/packages/"),
            # a download: Bottle hands gunicorn a file wrapper, which it sends with sendfile
            Step(
                "GET",
                "/packages/demo_pkg-1.0.tar.gz",
                200,
                "GET /packages/:filename#.*#",
                "/packages/:filename#.*#",
            ),
            Step("GET", "/-/static/none.css", 404, "GET", None),
        ),
        access_logger="gunicorn.access",
        app_logger="pypiserver._app",
    ),
    # A project exactly as `django-admin startproject` writes it, the real admin login, under gunicorn: as generated
    # (wsgi.py imports django before its own setdefault: instrumentation armed on `import django` broke it), and with
    # DJANGO_SETTINGS_MODULE exported, as many deployments do.
    _django("django-startproject", {}),
    _django("django-settings-exported", {"DJANGO_SETTINGS_MODULE": "mysite.settings"}),
    App(
        # A CalDAV/CardDAV server's WSGI entry point under waitress (no access log of its own).
        name="radicale",
        argv=lambda work, port: ["waitress-serve", f"--listen=127.0.0.1:{port}", "radicale:application"],
        env={"RADICALE_CONFIG": "{work}/radicale.conf"},
        steps=(
            Step("GET", "/", 302, "GET", None),
            Step("GET", "/.web/", 200, "GET", None),
            Step("PROPFIND", "/", 207, "HTTP", None, headers=(("Depth", "0"),), body=PROPFIND),
            Step("GET", "/nope/none.ics", 404, "GET", None),
        ),
        access_logger=None,
        app_logger="radicale",
    ),
)


_DATASETTE, _PYPISERVER = APPS[0], APPS[1]

SLOW_APPS: tuple[App, ...] = (
    App(
        # The same datasette app, as its docs deploy it elsewhere: gunicorn with uvicorn workers...
        name="datasette-gunicorn-uvicorn-workers",
        argv=lambda work, port: [
            "gunicorn",
            "-k",
            "uvicorn.workers.UvicornWorker",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "dsapp:app",
        ],
        steps=_DATASETTE.steps * 4,
        access_logger="uvicorn.access",
        app_logger=None,
        env={"PYTHONPATH": "{work}"},
    ),
    App(
        # ...and hypercorn.
        name="datasette-hypercorn",
        argv=lambda work, port: ["hypercorn", "--bind", f"127.0.0.1:{port}", "dsapp:app"],
        steps=_DATASETTE.steps * 4,
        access_logger=None,
        app_logger=None,
        env={"PYTHONPATH": "{work}"},
    ),
    App(
        name="pypiserver-gthread",
        argv=lambda work, port: [
            "gunicorn",
            "-k",
            "gthread",
            "--threads",
            "4",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            f"pypiserver:app(roots=['{work / 'packages'}'])",
        ],
        steps=_PYPISERVER.steps * 10,
        access_logger="gunicorn.access",
        app_logger="pypiserver._app",
    ),
)


def prepare(work: Path) -> None:
    """Create each app's data: a SQLite file, a package directory, a Django project with a superuser, a config."""
    import sqlite3

    with sqlite3.connect(work / "data.db") as db:
        db.execute("create table items (id integer primary key, name text)")
        db.executemany("insert into items values (?, ?)", [(1, "apple"), (2, "pear")])
    # How datasette's docs run its ASGI app under another server.
    (work / "dsapp.py").write_text(
        "from pathlib import Path\nfrom datasette.app import Datasette\n\n"
        "app = Datasette([str(Path(__file__).with_name('data.db'))]).app()\n",
        encoding="utf-8",
    )
    (work / "packages").mkdir()
    (work / "packages" / "demo_pkg-1.0.tar.gz").write_bytes(b"not really a tarball")
    (work / "radicale.conf").write_text(
        f"[auth]\ntype = none\n[storage]\nfilesystem_folder = {work / 'collections'}\n"
        "[logging]\nlevel = info\n",
        encoding="utf-8",
    )
    bindir = Path(sys.executable).parent
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD}
    admin = shutil.which("django-admin", path=str(bindir)) or "django-admin"
    (work / "mysite").mkdir()
    subprocess.run([admin, "startproject", "mysite", str(work / "mysite")], check=True, env=env)
    manage = [sys.executable, "manage.py"]
    for args in (
        ["migrate", "--noinput"],
        ["createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com"],
    ):
        subprocess.run([*manage, *args], check=True, env=env, cwd=work / "mysite", capture_output=True)
