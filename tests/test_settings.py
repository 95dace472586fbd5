"""Settings come from the environment; production settings pass Django's deploy checks."""

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


def test_the_development_key_fails_the_deploy_checks():
    env = {**PRODUCTION, "SECRET_KEY": ""}  # empty: the development default applies
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_every_setting_read_from_the_environment_is_in_env_example():
    settings_text = (ROOT / "talentportal" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()

    names = set(re.findall(r'env(?:_bool|_int|_list)?\("([A-Z_]+)"', settings_text))
    assert names, "settings read variables through the env helpers"
    missing = sorted(n for n in names if f"{n}=" not in example)
    assert missing == []
