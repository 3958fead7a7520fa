"""The README's generated parts (--help output, the schema) match the code."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_readme_is_current() -> None:
    result = subprocess.run([sys.executable, "-m", "cogapp", "--check", "README.md"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, (
        "README.md is out of date: run `cog -r README.md`\n" + result.stdout + result.stderr)


def test_readme_has_exactly_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "provenance trace demo.db seeds/000_3a0d1274ca379c80.txt" in commands[0]
    assert "pytest" in commands[1]
