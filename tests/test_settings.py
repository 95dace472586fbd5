"""Settings come from the environment; production settings pass Django's deploy checks."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION = {
    "DEBUG": "0",
    "DJANGO_SECURE": "1",
    "SECRET_KEY": "a-long-random-production-secret-" + "x7Kq9" * 10,
    "ALLOWED_HOSTS": "talent.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://talent.example.gov.cn",
}


def run_manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_the_development_key_fails_the_deploy_checks():
    # DEBUG=0 over plain http (the benchmarks) starts with the development key, but is no deploy.
    env = {**PRODUCTION, "SECRET_KEY": "", "DJANGO_SECURE": "0"}
    assert run_manage("check", env=env).returncode == 0
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_production_settings_are_https_only_with_the_security_headers():
    show = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS,"
        "'proxy_header': s.SECURE_PROXY_SSL_HEADER, 'session_secure': s.SESSION_COOKIE_SECURE,"
        "'csrf_secure': s.CSRF_COOKIE_SECURE, 'frames': s.X_FRAME_OPTIONS,"
        "'nosniff': s.SECURE_CONTENT_TYPE_NOSNIFF, 'referrer': s.SECURE_REFERRER_POLICY,"
        "'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'],"
        "'middleware': s.MIDDLEWARE, 'backends': s.AUTHENTICATION_BACKENDS,"
        "'hashers': s.PASSWORD_HASHERS}))"
    )
    result = run_manage("shell", "-c", show, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["ssl_redirect"] and values["session_secure"] and values["csrf_secure"]
    assert values["hsts"] >= 31536000
    assert values["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert (values["frames"], values["nosniff"], values["referrer"]) == (
        "DENY",
        True,
        "same-origin",
    )
    assert values["csp"] == ["'self'"]
    assert "csp.middleware.CSPMiddleware" in values["middleware"]
    assert values["middleware"][-1] == "axes.middleware.AxesMiddleware"
    assert values["backends"][0].startswith("axes.backends.")
    # The tests hash with MD5 for speed (tests/conftest.py); production stores PBKDF2 hashes.
    assert values["hashers"][0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def test_every_setting_read_from_the_environment_is_in_env_example():
    settings_text = (ROOT / "talentportal" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()

    names = set(re.findall(r'env(?:_bool|_int|_list)?\("([A-Z_]+)"', settings_text))
    assert names, "settings read variables through the env helpers"
    missing = sorted(n for n in names if f"{n}=" not in example)
    assert missing == []
