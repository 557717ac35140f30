"""The files that build and run the site: the image installs only the site's hashed requirements
and cannot change its own code, compose publishes nothing but the reverse proxy, and the
development targets ask for DEBUG themselves now that the settings fail closed."""
import os
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _requirement_pins(path):
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            name, version = line.split("==")
            pins[re.sub(r"\[.*\]", "", name).lower().replace("_", "-")] = version
    return pins


def _lock_entries(path):
    """{name: (version, [hashes])} of a pip-compile lock."""
    entries, current = {}, None
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)", line)
        if match:
            current = match[1].lower().replace("_", "-")
            entries[current] = (match[2], [])
        elif current and (hashed := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            entries[current][1].append(hashed[1])
    return entries


def test_every_pin_of_the_site_is_in_the_lock_with_its_hashes():
    pins = _requirement_pins(ROOT / "requirements.txt")
    lock = _lock_entries(ROOT / "requirements.lock")
    assert len(pins) >= 20  # the file was read
    for name, version in pins.items():
        assert name in lock, f"{name} is not in requirements.lock (make lock)"
        assert lock[name][0] == version, f"{name}: requirements.txt pins {version}, the lock {lock[name][0]} (make lock)"
    # Everything the lock installs carries a hash, so pip installs nothing unchecked.
    assert all(hashes for _, hashes in lock.values()), [n for n, (_, h) in lock.items() if not h]
    # Nothing of the tests' tools rides along.
    for tool in _requirement_pins_dev():
        assert tool not in lock, tool


def _requirement_pins_dev():
    names = set()
    for line in (ROOT / "requirements-dev.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(line.split("==")[0].lower())
    return names - set(_requirement_pins(ROOT / "requirements.txt"))


def test_the_lock_check_would_catch_a_pin_missing_from_the_lock(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("django==5.2.19 \\\n    --hash=sha256:" + "a" * 64 + "\ncelery==5.7.0\n")
    assert _lock_entries(lock) == {"django": ("5.2.19", ["a" * 64]), "celery": ("5.7.0", [])}


def _dockerfile():
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_the_image_installs_only_the_hashed_lock():
    runs = [line for line in _dockerfile() if line.startswith("RUN")]
    installs = [line for line in runs if "pip install" in line]
    assert installs == ["RUN pip install --require-hashes --no-deps -r requirements.lock"]
    copies = [line for line in _dockerfile() if line.startswith("COPY")]
    assert copies[0] == "COPY requirements.lock ."
    assert not any("requirements-dev" in line for line in runs)


def test_the_image_runs_as_a_user_who_cannot_change_the_code():
    lines = _dockerfile()
    users = [line for line in lines if line.startswith("USER")]
    assert users == ["USER stf"] and lines.index(users[0]) > max(i for i, l in enumerate(lines) if l.startswith(("RUN", "COPY")))
    setup = " ".join(line for line in lines if line.startswith("RUN"))
    assert "chmod -R go-w /app" in setup
    assert re.search(r"chown\s+(-R\s+)?stf\S*\s+/app(\s|$)", setup) is None  # the code stays root's
    assert "chown stf:stf /app/media" in setup  # MEDIA_ROOT, and only it, is the user's
    assert not any(line.startswith("COPY --chown") for line in lines)


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_only_the_reverse_proxy_is_published():
    services = _compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert services["proxy"]["image"].startswith("nginx:")
    assert sorted(services["proxy"]["ports"]) == ["443:443", "80:80"]
    assert "8000" in [str(port) for port in services["web"]["expose"]]
    mounts = services["proxy"]["volumes"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in mounts
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["TRUSTED_PROXY_COUNT"] == "1", name


def test_the_proxy_sets_the_headers_the_site_trusts():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    directives = {" ".join(line.split()) for line in conf.splitlines() if not line.strip().startswith("#")}
    assert "proxy_pass http://web:8000;" in directives
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in directives
    # Replaced, not appended to: the site reads the last TRUSTED_PROXY_COUNT (1) addresses.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in directives
    assert "proxy_set_header Host $host;" in directives
    assert "return 301 https://$host$request_uri;" in directives


def test_make_run_asks_for_the_development_settings(tmp_path):
    """``make run`` on a machine with DEBUG unset gives every command DEBUG=1 (a stand-in python
    records what each is given)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\necho "DEBUG=${{DEBUG-unset}} $*" >> {log}\n')
    python.chmod(0o755)
    stamp = tmp_path / "installed"
    stamp.touch()
    os.utime(stamp, ((ROOT / "requirements.txt").stat().st_mtime + 60,) * 2)
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "MAKEFLAGS", "MFLAGS")}
    result = subprocess.run(["make", "-s", "run", f"BIN={bin_dir}", f"STAMP={stamp}"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert calls == [
        "DEBUG=1 manage.py migrate --noinput",
        "DEBUG=1 manage.py createcachetable",
        "DEBUG=1 manage.py load_demo --if-empty",
        "DEBUG=1 manage.py recompute",
        "DEBUG=1 manage.py runserver 127.0.0.1:8000",
    ]


def test_ci_asks_for_the_development_settings():
    script = (ROOT / ".ci" / "run").read_text()
    assert "export DEBUG=1" in script.splitlines()
