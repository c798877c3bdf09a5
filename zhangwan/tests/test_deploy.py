import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_under_production_settings():
    env = {**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
           "DJANGO_SETTINGS_MODULE": "zhangwan.settings_production",
           "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "skills.zhangwan.example"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_migrations_are_committed():
    result = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_test_collects_every_test_file():
    """A test directory left out of pytest.ini's testpaths would silently never run."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "pytest.ini")
    testpaths = [ROOT / p for p in config["pytest"]["testpaths"].split()]
    files = [f for f in ROOT.rglob("test_*.py") if not f.relative_to(ROOT).parts[0].startswith(".")
             and f.relative_to(ROOT).parts[0] not in {"bench", "test-output", "staticfiles"}]
    assert len(files) > 40
    assert [f for f in files if not any(f.is_relative_to(p) for p in testpaths)] == []


def test_the_wsgi_application_leaves_what_start_up_made_out_of_the_collectors_scans():
    """A server's worker keeps its start-up objects for good: the cyclic collector need not walk them."""
    probe = ("import gc; import zhangwan.wsgi; "
             "print(gc.get_freeze_count(), sum(gc.get_count()) + sum(len(gc.get_objects(g)) for g in range(3)))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    frozen, scanned = map(int, result.stdout.split())
    assert frozen > 100_000 and scanned < frozen / 20
