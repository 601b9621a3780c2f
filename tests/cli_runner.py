"""The berita-search command run in process, as a user would see it: exit code, stdout, stderr.

Subprocesses are kept for what needs a process of its own (kills, signals, locks, serve)."""

from __future__ import annotations

import subprocess

from berita_search.search.cli import cli
from click.testing import CliRunner


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return subprocess.CompletedProcess(["berita-search", *args], result.exit_code, result.stdout, result.stderr)
