"""The web commands as a user runs them: demo, import, user, token, serve.

In process on the test database where one process will do (`run_cli`); as subprocesses on SQLite files
of their own where the point is the file `jixiao demo` creates or a server listening on a port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.cli_runner import run_cli

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
# the subprocesses run on SQLite files of their own: these tests run once, in the SQLite pass
pytestmark = pytest.mark.skipif(
    os.environ.get("JIXIAO_DATABASE_URL", "").startswith("postgres"),
    reason="CLI tests run in the SQLite pass (the subprocesses on SQLite files of their own)",
)


def _run(args: list[str], db: Path, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "JIXIAO_DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "jixiao.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        **kw,
    )


def _accounts(lines: list[str]) -> list[str]:
    """The lines after 账号（用户名 / 密码 / 角色）： that name an account (two-space indented)."""
    start = lines.index("账号（用户名 / 密码 / 角色）：") + 1
    out = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        out.append(line)
    return out


def _readme_demo_accounts() -> list[str]:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    return _accounts(readme.split("$ jixiao demo --data ./demo", 1)[1].splitlines())


def test_demo_creates_the_database_in_the_data_folder_and_prints_accounts(tmp_path):
    r = _run(["demo", "--data", str(tmp_path / "d"), "--no-serve"], tmp_path / "unused.sqlite3")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "d" / "jixiao.sqlite3").exists() and not (tmp_path / "unused.sqlite3").exists()
    assert "示例市市场监督管理局" in r.stdout and "新增" in r.stdout
    assert "http://" not in r.stdout  # --no-serve: nothing is served, no address printed
    for account in ("admin", "reviewer", "unit", "edu"):
        assert account in r.stdout
    # the README's example prints the same accounts, lines as the demo prints them
    assert _readme_demo_accounts() == _accounts(r.stdout.splitlines())
    # running it again keeps the same data instead of duplicating it, and says so
    r2 = _run(["demo", "--data", str(tmp_path / "d"), "--no-serve"], tmp_path / "unused.sqlite3")
    assert r2.returncode == 0 and "已有" in r2.stdout and "新增 0 个" in r2.stdout
    first = [line for line in r.stdout.splitlines() if line.startswith("  载入")]
    again = [line for line in r2.stdout.splitlines() if line.startswith("  载入")]
    assert len(first) == len(again) and all("未变" in line for line in again)


@pytest.mark.skipif(not SEEDS.exists(), reason="needs ../shared/seeds")
def test_import_a_folder_then_again_without_duplicates(db):
    r = run_cli(["import", SEEDS])
    assert r.returncode == 0, r.stderr
    assert "[5/5]" in r.stderr and "完成：5/5 个文件导入" in r.stdout
    created = r.stdout
    r = run_cli(["import", SEEDS / "001_69cafeba3764958f.txt"])
    assert r.returncode == 0 and "新项目 0 个，更新 9 个" in r.stdout, (created, r.stdout)
    # the same document again changes nothing, and the output says so (as the upload page does)
    assert "更新 9（其中 9 个无变化）" in r.stderr, r.stderr
    assert "更新 9 个（其中 9 个无变化）" in r.stdout, r.stdout


def test_import_reports_a_bad_file_with_its_name_and_status_2(tmp_path, db):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    r = run_cli(["import", bad])
    assert r.returncode == 2 and str(bad) in r.stderr and "Traceback" not in r.stderr


def test_import_refusing_another_units_document_names_the_file_once(tmp_path, db):
    assert run_cli(["demo", "--data", tmp_path, "--no-serve"]).returncode == 0
    seed = SEEDS / "000_b15b158b2ebb9642.txt"  # names 廊坊市市场监督管理局（本级）
    r = run_cli(["import", "--unit", "999001", seed])
    assert r.returncode == 2 and "文件写明的单位是" in r.stderr, r.stderr
    line = next(x for x in r.stderr.splitlines() if "文件写明的单位是" in x)
    assert line.count(seed.name) == 1, line


def test_user_create_and_token(tmp_path, db):
    assert run_cli(["demo", "--data", tmp_path, "--no-serve"]).returncode == 0
    r = run_cli(["user", "create", "clerk", "--role", "unit", "--unit", "999002", "--password", "secret-1"])
    assert r.returncode == 0 and "clerk" in r.stdout and "示例市示例区教育局" in r.stdout, r.stderr
    r = run_cli(["user", "create", "nounit", "--role", "unit"])
    assert r.returncode == 2 and "至少要属于一个单位" in r.stderr
    r = run_cli(["user", "create", "boss", "--role", "reviewer"])
    assert r.returncode == 0 and "初始密码" in r.stdout
    r = run_cli(["token", "clerk"])
    assert r.returncode == 0 and r.stdout.strip().startswith("jx_")
    token = r.stdout.strip()
    assert run_cli(["token", "ghost"]).returncode == 2
    # change an account: units, role, deactivate; list; revoke tokens
    r = run_cli(["user", "set", "clerk", "--unit", "999001", "--inactive"])
    assert r.returncode == 0 and "示例市市场监督管理局" in r.stdout and "已停用" in r.stdout, r.stderr
    r = run_cli(["user", "set", "boss", "--role", "unit"])
    assert r.returncode == 2 and "至少要属于一个单位" in r.stderr
    # a reviewer sees every unit: becoming one drops the units, and the command says so
    run_cli(["user", "create", "clerk2", "--role", "unit", "--unit", "999002", "--password", "secret-12"])
    r = run_cli(["user", "set", "clerk2", "--role", "reviewer"])
    assert r.returncode == 0 and "审核人" in r.stdout, r.stderr
    assert "已移除所属单位：示例市示例区教育局" in r.stdout and "可查看所有单位" in r.stdout, r.stdout
    r = run_cli(["user", "set", "clerk2", "--role", "unit", "--unit", "999002"])
    assert r.returncode == 0 and "示例市示例区教育局" in r.stdout, r.stderr
    # naming units for a reviewer or an administrator is refused, nothing changed
    r = run_cli(["user", "set", "clerk2", "--role", "reviewer", "--unit", "999002"])
    assert r.returncode == 2 and "可查看所有单位" in r.stderr, r.stderr
    r = run_cli(["user", "create", "boss2", "--role", "admin", "--unit", "999002"])
    assert r.returncode == 2 and "可查看所有单位" in r.stderr, r.stderr
    rows = [line.split("\t") for line in run_cli(["user", "list"]).stdout.splitlines()]
    listed = {row[0]: row for row in rows}
    assert rows[0] == ["用户名", "角色", "状态", "所属单位", "API 令牌"]
    assert listed["clerk"][1:] == ["单位用户", "已停用", "999001", "1"]
    assert listed["boss"][1:] == ["审核人", "正常", "全部单位", "0"]
    assert listed["clerk2"][1:4] == ["单位用户", "正常", "999002"]
    r = run_cli(["token", "clerk", "--revoke", token[:8]])
    assert r.returncode == 0 and "1 个" in r.stdout
    r = run_cli(["token", "clerk", "--revoke"])
    assert r.returncode == 2 and "没有" in r.stderr
    assert any(line.endswith("\t0") for line in run_cli(["user", "list"]).stdout.splitlines())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_with_static_files_and_api_from_the_app(tmp_path):
    db = tmp_path / "jixiao.sqlite3"
    assert _run(["demo", "--data", str(tmp_path), "--no-serve"], db).returncode == 0
    token = _run(["token", "reviewer"], db).stdout.strip()
    port = _free_port()
    env = {**os.environ, "JIXIAO_DATABASE_URL": f"sqlite:///{db}", "JIXIAO_SECRET_KEY": "test-secret"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jixiao.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Five processes start on two cores: allow a loaded machine a minute.
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/login/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        for path in (
            "/login/",
            "/static/web/style.css",
            "/static/ninja/swagger-ui-bundle.js",
            "/api/docs",
            "/static/admin/css/base.css",
        ):
            with urllib.request.urlopen(base + path, timeout=5) as resp:
                assert resp.status == 200, path
        req = urllib.request.Request(
            base + "/api/projects?limit=2", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            data = json.loads(resp.read())
        assert data["count"] == 14 and len(data["items"]) == 2
        try:
            urllib.request.urlopen(base + "/does-not-exist", timeout=5)
        except urllib.error.HTTPError as e:
            assert e.code in (302, 404) and b"Traceback" not in e.read()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
            raise


@pytest.mark.django_db
def test_warm_up_compiles_every_page_template_before_the_workers_fork():
    from django.template import engines

    from jixiao.cli.web import warm_up

    env = engines["jinja2"].env
    env.cache.clear()
    warm_up()
    names = env.list_templates(extensions=["html"])
    assert "web/unit_year.html" in names and "web/project.html" in names
    assert {key[1] for key in env.cache.keys()} >= set(names)


def test_serve_refuses_a_bad_worker_count_in_chinese(tmp_path, monkeypatch):
    """JIXIAO_WORKERS=abc made `jixiao serve` end in a ValueError traceback; it is refused with
    the variable named, exit 2. The help says what the default really is (two per core plus one)."""
    monkeypatch.setenv("JIXIAO_SECRET_KEY", "k" * 50)
    for bad in ("abc", "2.5"):
        monkeypatch.setenv("JIXIAO_WORKERS", bad)
        r = _run(["serve", "--port", "1"], tmp_path / "db.sqlite3")
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert "JIXIAO_WORKERS" in r.stderr and bad in r.stderr
    monkeypatch.delenv("JIXIAO_WORKERS")
    r = _run(["serve", "--help"], tmp_path / "db.sqlite3")
    assert "核数 × 2 + 1" in r.stdout and "JIXIAO_WORKERS" in r.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JIXIAO_MAX_UPLOAD_MB", "20MB"),
        ("JIXIAO_LOGIN_COOLOFF_MINUTES", "十五"),
        ("JIXIAO_HSTS_SECONDS", "1 year"),
        ("JIXIAO_DATABASE_URL", "mysql://db/jixiao"),
    ],
)
def test_a_setting_that_cannot_be_read_is_named_in_chinese(tmp_path, name, value):
    """A mistyped JIXIAO_* setting ended every database command in a Python traceback (or an
    English ValueError for the database URL); the command now names the variable and the value
    in Chinese and exits 2."""
    env = {**os.environ, "JIXIAO_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", name: value}
    r = subprocess.run(
        [sys.executable, "-m", "jixiao.cli", "user", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert name in r.stderr and value in r.stderr and "设置有误" in r.stderr, r.stderr


@pytest.mark.skipif(not SEEDS.exists(), reason="needs ../shared/seeds")
def test_import_holds_each_file_to_the_time_limit_given(db):
    """`jixiao import` reads in a worker process held to the settings' limits, or `--timeout` /
    `--memory-mb`: an overrun names the file and the option, and nothing of it is imported."""
    from jixiao.web.models import Project

    seed = SEEDS / "001_69cafeba3764958f.txt"
    r = run_cli(["import", seed, "--timeout", "0.01"])
    assert r.returncode == 2 and f"{seed}: 解析超时（0.01 秒），已停止" in r.stderr, r.stderr
    assert "--timeout" in r.stderr and not Project.objects.exists()
    r = run_cli(["import", seed, "--timeout", "60", "--memory-mb", "512"])
    assert r.returncode == 0 and Project.objects.exists(), r.stderr
