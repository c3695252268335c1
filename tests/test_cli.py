"""The command line: every command documented, exit statuses as DESIGN.md §7 says."""
import pytest

from conftest import ROOT, monitor
from monitor.cli import main

COMMANDS = sorted(main.commands)


def test_contract_commands_exist():
    for name in ("demo", "run", "check", "detect", "search", "status", "alerts"):
        assert name in COMMANDS


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example_and_is_in_the_readme(name):
    r = monitor(name, "--help")
    assert r.returncode == 0
    assert "Example:" in r.stdout and "-c, --config" in r.stdout
    assert f"monitor {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_usage_error_exits_2(tmp_path):
    r = monitor("run", "--no-such-option", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_user_error_exits_1_with_one_clear_line(tmp_path):
    r = monitor("run", "-c", str(tmp_path / "missing.yaml"), cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.startswith("Error: config file") and "Traceback" not in r.stderr


def test_check_reports_all_problems_at_once(tmp_path):
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "a.yaml").write_text("actors:\n  sdf:\n    aliases: [قسد]\nalerts:\n  - name: x\n"
                                           "    actors: [tsk]\n    tags: [alerts]\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text("watchlists: [w]\nsources:\n  - name: a\n    spider: nope\n    url: http://x/\n")
    r = monitor("check", "-c", str(tmp_path / "config.yaml"))
    assert r.returncode == 1
    assert "unknown spider 'nope'" in r.stderr and "unknown actor 'tsk'" in r.stderr
    assert "2 problem(s)" in r.stderr


def test_check_passes_on_the_shipped_config():
    r = monitor("check", "-c", str(ROOT / "config.yaml"))
    assert r.returncode == 0, r.stderr
    assert "watchlists OK" in r.stdout
