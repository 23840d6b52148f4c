"""The settings module under each kind of environment, and the headers it puts on pages.

Settings are read once per process, so each environment is tried in a fresh interpreter.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import TestCase

from conftest import load_seed_lesson

PROJECT = Path(__file__).resolve().parent.parent
SETTINGS_VARIABLES = [
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "REDIS_URL",
    "REDIS_MAX_CONNECTIONS", "REDIS_PREFIX", "STATIC_ROOT", "HTTPS", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "TRUST_X_FORWARDED_PROTO", "LOG_LEVEL",
]  # fmt: skip
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7Vq2-mZ8xR4tL9pW3nB6yH1cF5dJ0sG2aE7uN4iO8vT3rY6wQ9zX1bM5kP",
    "ALLOWED_HOSTS": "sgviz.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://sgviz.example.org",
    "HTTPS": "1",
    "TRUST_X_FORWARDED_PROTO": "1",
}


def run_python(code, env, *args):
    """Run Python in the project folder with only `env` (plus PATH) as configuration."""
    clean = {name: value for name, value in os.environ.items() if name not in SETTINGS_VARIABLES}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        cwd=PROJECT, env=clean, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def settings_under(env, *names):
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {list(names)!r}}}, default=str))"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def manage(env, *args):
    return run_python(None, env, "manage.py", *args)


def test_with_no_environment_it_runs_embedded_on_sqlite_and_the_in_memory_layer():
    found = settings_under({}, "DEBUG", "DATABASES", "CHANNEL_LAYERS", "SECRET_KEY", "ALLOWED_HOSTS")
    assert found["DEBUG"] is False
    database = found["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(PROJECT / "db.sqlite3")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert found["CHANNEL_LAYERS"]["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert found["SECRET_KEY"].startswith("django-insecure-")
    assert found["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]


def test_database_url_switches_to_pooled_postgresql():
    found = settings_under({"DATABASE_URL": "postgres://sgviz:pw@db.internal:5432/sgviz"}, "DATABASES")
    database = found["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"], database["USER"]) == ("db.internal", 5432, "sgviz", "sgviz")
    assert database["OPTIONS"] == {"pool": True}
    assert database["CONN_MAX_AGE"] == 0
    assert database["TEST"] == {"NAME": "test_sgviz"}


def test_redis_url_switches_to_the_redis_channel_layer():
    found = settings_under({"REDIS_URL": "redis://cache.internal:6379/2", "REDIS_MAX_CONNECTIONS": "40"}, "CHANNEL_LAYERS")
    layer = found["CHANNEL_LAYERS"]["default"]
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    [host] = layer["CONFIG"]["hosts"]
    assert (host["address"], host["max_connections"]) == ("redis://cache.internal:6379/2", 40)


def test_redis_reads_outlast_the_channel_layers_blocking_pop():
    from channels_redis.core import RedisChannelLayer

    found = settings_under({"REDIS_URL": "redis://cache.internal:6379/2"}, "CHANNEL_LAYERS")
    [host] = found["CHANNEL_LAYERS"]["default"]["CONFIG"]["hosts"]
    assert host["socket_timeout"] > RedisChannelLayer.brpop_timeout


def test_it_refuses_to_serve_other_hosts_with_the_public_development_key():
    result = run_python("import django; django.setup()", {"ALLOWED_HOSTS": "sgviz.example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("variable, value", [("DEBUG", "maybe"), ("SECURE_HSTS_SECONDS", "a year")])
def test_a_malformed_variable_is_named_in_the_error(variable, value):
    result = run_python("import django; django.setup()", {variable: value})
    assert result.returncode != 0
    assert f"{variable}={value!r}" in result.stderr


def test_a_sqlite_database_named_by_url_gets_the_same_lock_and_journal_options():
    default = settings_under({}, "DATABASES")["DATABASES"]["default"]["OPTIONS"]
    named = settings_under({"DATABASE_URL": "sqlite:////tmp/elsewhere.sqlite3"}, "DATABASES")["DATABASES"]["default"]["OPTIONS"]
    assert named == default


def test_static_root_switches_to_hashed_compressed_files():
    found = settings_under({"STATIC_ROOT": "/srv/sgviz/static"}, "STORAGES", "WHITENOISE_USE_FINDERS")
    assert found["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert found["WHITENOISE_USE_FINDERS"] is False


def test_production_serves_collected_hashed_compressed_static_files(tmp_path):
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path / "static"), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    for command in (["collectstatic", "--noinput"], ["migrate", "--noinput"], ["load_lessons"]):
        result = manage(env, *command)
        assert result.returncode == 0, result.stderr
    code = """
import django, json, re
django.setup()
from django.test import Client
client = Client(HTTP_HOST="sgviz.example.org")
report = {}
for url in ["/", "/lessons/stateful-security-groups/"]:
    page = client.get(url, secure=True)
    assert page.status_code == 200, (url, page.status_code)
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.content.decode()):
        response = client.get(asset, secure=True, headers={"accept-encoding": "gzip"})
        report[asset] = [response.status_code, response.headers.get("Content-Encoding"), response.headers["Cache-Control"]]
print(json.dumps(report))
"""
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assets = json.loads(result.stdout)
    assert "/static/css/base.css" not in assets
    assert any(re.fullmatch(r"/static/css/base\.[0-9a-f]{12}\.css", asset) for asset in assets)
    for asset, (status, encoding, cache) in assets.items():
        assert (status, encoding) == (200, "gzip"), asset
        assert "immutable" in cache, asset


def test_production_settings_pass_check_deploy():
    result = manage(PRODUCTION, "check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_flags_the_development_key_and_plain_http():
    result = manage({}, "check", "--deploy")
    for warning in ["security.W004", "security.W008", "security.W009", "security.W012", "security.W016"]:
        assert warning in result.stderr


@pytest.mark.django_db
def test_sqlite_waits_for_the_write_lock():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's journal and lock settings")
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_the_test_database_is_a_file_so_a_live_server_process_can_share_it():
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("only SQLite has an in-memory test database to avoid")
    assert Path(database["TEST"]["NAME"]).parent.is_dir()
    assert str(database["TEST"]["NAME"]) != ":memory:"


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(directive.strip().split(" ", 1) for directive in policy.split(";"))
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "connect-src": "'self'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "base-uri": "'none'",
    }
    assert "unsafe" not in policy


@pytest.mark.django_db
def test_pages_carry_the_other_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_static_files_are_served_with_debug_off_and_no_collectstatic(client):
    assert settings.DEBUG is False
    response = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert response.status_code == 200
    assert b"htmx" in b"".join(response.streaming_content)


class WebsocketOriginTests(TestCase):
    async def test_a_websocket_from_another_sites_page_is_refused(self):
        from config.asgi import application

        communicator = WebsocketCommunicator(
            application, "/ws/lessons/stateful-security-groups/", headers=[(b"origin", b"https://evil.example")]
        )
        connected, _ = await communicator.connect()
        self.assertFalse(connected)
        await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
def test_a_forked_live_server_opens_its_own_database_connections():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL runs a connection pool")
    from django.db.backends.postgresql.base import DatabaseWrapper

    from lessons.models import Lesson

    load_seed_lesson()  # an earlier transactional test may have emptied the database
    parent_pool = connection.pool
    assert Lesson.objects.count() == 1
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child reports through the pipe and never returns into pytest
        try:
            fresh = not DatabaseWrapper._connection_pools
            from django.db import connections

            connections["default"].connection = None  # the parent's checked-out session is not ours
            count = Lesson.objects.count()
            own_pool = connections["default"].pool is not parent_pool
            os.write(writer, json.dumps([fresh, count, own_pool]).encode())
        finally:
            os._exit(0)
    os.close(writer)
    report = json.loads(os.read(reader, 1000))
    os.waitpid(child, 0)
    assert report == [True, 1, True]
    assert Lesson.objects.count() == 1  # the parent's own connection still works


@pytest.mark.django_db
def test_a_live_server_process_opens_the_test_database():
    from channels.testing.live import set_database_connection

    database = settings.DATABASES["default"]
    test_database = database["NAME"]  # the test runner has switched to it already
    try:
        set_database_connection()  # what ChannelsLiveServerTestCase's daphne process runs first
        assert database["NAME"] == test_database
    finally:
        database["NAME"] = test_database
