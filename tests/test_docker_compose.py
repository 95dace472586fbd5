"""Static checks of the container setup (docker-compose.yml and Dockerfile).

No Docker engine and no database are needed: the files are only parsed.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

SERVICES = {"db", "broker", "cache", "web", "worker", "beat"}
APP_SERVICES = ("web", "worker", "beat")
# Only an interpolation such as ${SECRET_KEY:?set SECRET_KEY} is acceptable.
SUBSTITUTION_ONLY = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?[-?]).*)?\}$")


@pytest.fixture(scope="module")
def compose():
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile_lines():
    assert DOCKERFILE.is_file(), "Dockerfile is missing at the repository root"
    return [
        line.strip()
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def command_text(service):
    """The service's command as one string, whether given as list or string."""
    command = service.get("command")
    assert command, "service has no command"
    if isinstance(command, list):
        return " ".join(str(part) for part in command)
    return str(command)


def environment_dict(service):
    """The service's environment as a dict, whether given as map or list."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) for item in env)
        return {pair[0]: (pair[1] if len(pair) == 2 else None) for pair in pairs}
    return env


def test_compose_file_has_the_six_services(compose):
    assert "version" not in compose
    assert set(compose["services"]) == SERVICES


def test_db_is_postgres_16_with_healthcheck_and_volume(compose, services):
    db = services["db"]
    assert db["image"].startswith("postgres:16")
    test = db["healthcheck"]["test"]
    test_text = test if isinstance(test, str) else " ".join(test)
    assert "pg_isready" in test_text
    volumes = db["volumes"]
    assert any(str(v).startswith("pgdata:") for v in volumes)
    assert "pgdata" in compose["volumes"]


def redis_options(service) -> dict[str, str]:
    """The redis-server command line's --options, each with its value."""
    command = service["command"]
    assert isinstance(command, list) and command[0] == "redis-server"
    options = {}
    for index, part in enumerate(command[1:], start=1):
        if str(part).startswith("--"):
            options[part[2:]] = command[index + 1]
    return options


@pytest.mark.parametrize("name", ("broker", "cache"))
def test_each_redis_has_healthcheck(services, name):
    redis = services[name]
    assert redis["image"].startswith("redis:7")
    test = redis["healthcheck"]["test"]
    assert "redis-cli" in test and "ping" in test


def test_the_cache_is_its_own_redis_bounded_and_evicting_least_recently_used(services):
    options = redis_options(services["cache"])
    assert options["maxmemory"] == "${CACHE_MAXMEMORY:-256mb}"
    assert options["maxmemory-policy"] == "allkeys-lru"
    assert options["save"] == "" and options["appendonly"] == "no"  # copies only: not on disk


def test_the_broker_is_another_redis_that_never_evicts_a_task(compose, services):
    options = redis_options(services["broker"])
    assert options["maxmemory-policy"] == "noeviction"
    assert "maxmemory" not in options
    assert options["appendonly"] == "yes"
    assert "brokerdata:/data" in services["broker"]["volumes"]
    assert "brokerdata" in compose["volumes"]
    for name in APP_SERVICES:
        env = environment_dict(services[name])
        assert env["CELERY_BROKER_URL"].startswith("redis://broker:"), name
        assert env["REDIS_CACHE_URL"].startswith("redis://cache:"), name


def test_web_worker_beat_share_one_image(services):
    images = {services[name].get("image") for name in APP_SERVICES}
    assert images == {"talentportal:latest"}
    assert "build" in services["web"]


def test_web_runs_migrate_then_gunicorn(services):
    command = command_text(services["web"])
    assert "manage.py migrate --noinput" in command
    assert "gunicorn talentportal.wsgi:application" in command
    assert "--bind 0.0.0.0:8000" in command
    assert command.index("migrate") < command.index("gunicorn")
    # Published on the host's loopback by default: the TLS proxy in front is the way in, and it is
    # the one proxy whose X-Forwarded-For is trusted (TRUSTED_PROXY_COUNT).
    assert "${WEB_PUBLISH:-127.0.0.1:8000}:8000" in [str(p) for p in services["web"]["ports"]]
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    assert "healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_worker_runs_celery_worker(services):
    assert "celery -A talentportal worker" in command_text(services["worker"])


def test_beat_runs_celery_beat(services):
    assert "celery -A talentportal beat" in command_text(services["beat"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_db_broker_and_cache(services, name):
    depends_on = services[name]["depends_on"]
    assert isinstance(depends_on, dict), "depends_on needs conditions"
    for dependency in ("db", "broker", "cache"):
        assert depends_on[dependency]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ("worker", "beat"))
def test_worker_and_beat_wait_for_healthy_web(services, name):
    assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ("web", "worker"))
def test_media_volume_is_mounted(compose, services, name):
    assert "media:/app/media" in services[name]["volumes"]
    assert "media" in compose["volumes"]


def test_secret_key_is_not_hard_coded(services):
    seen = 0
    for name, service in services.items():
        env = environment_dict(service)
        if "SECRET_KEY" in env:
            seen += 1
            value = str(env["SECRET_KEY"])
            assert SUBSTITUTION_ONLY.match(value), f"{name}: SECRET_KEY={value!r}"
            assert value.startswith("${SECRET_KEY"), f"{name}: SECRET_KEY={value!r}"
    assert seen >= len(APP_SERVICES)
    for name in APP_SERVICES:
        assert "SECRET_KEY" in environment_dict(services[name])


def test_production_environment(services):
    env = environment_dict(services["web"])
    assert str(env["DEBUG"]) == "0"
    assert env["CELERY_BROKER_URL"] == "redis://broker:6379/0"
    assert env["REDIS_CACHE_URL"] == "redis://cache:6379/0"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["DATABASE_URL"].endswith("@db:5432/${POSTGRES_DB:-talentportal}")
    assert env["MEDIA_ROOT"] == "/app/media"


def test_dockerfile_is_python_311_based(dockerfile_lines):
    from_lines = [line for line in dockerfile_lines if line.upper().startswith("FROM ")]
    assert from_lines, "Dockerfile has no FROM line"
    assert from_lines[0].split()[1].startswith("python:3.11")


def test_dockerfile_has_healthcheck(dockerfile_lines):
    healthchecks = [line for line in dockerfile_lines if line.upper().startswith("HEALTHCHECK")]
    assert len(healthchecks) == 1
    text = "\n".join(dockerfile_lines)
    assert "http://127.0.0.1:8000/healthz" in text


def test_dockerfile_does_not_run_as_root(dockerfile_lines):
    users = [line.split()[1] for line in dockerfile_lines if line.upper().startswith("USER ")]
    assert users, "Dockerfile has no USER line"
    assert users[-1] not in {"root", "0", "0:0"}
    assert "EXPOSE 8000" in dockerfile_lines
