"""The deploy files agree with each other and with pyproject.toml.

The Procfile (buildpack hosts), the Dockerfile and compose.yaml (container hosts),
requirements.txt and .python-version all describe the same processes, Python and
package. No test here builds the image (that needs a Docker daemon, which CI does not
have); docs/deploying.md says how it was checked.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import yaml

from bot.cli import parser

ROOT = Path(__file__).resolve().parents[1]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def procfile() -> dict[str, list[str]]:
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = shlex.split(command)
    return processes


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    steps = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, args = line.partition(" ")
            steps.append((instruction.upper(), args.strip()))
    return steps


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def without_port(command: list[str]) -> list[str]:
    """`serve --port $PORT` and `serve` are the same command: serve reads $PORT."""
    if "--port" in command:
        i = command.index("--port")
        assert command[i + 1] == "$PORT"
        return command[:i] + command[i + 2 :]
    return command


def test_every_process_is_a_real_benchmate_command() -> None:
    script = next(iter(pyproject()["project"]["scripts"]))
    commands = [*procfile().values()]
    commands += [s["command"] for s in compose()["services"].values() if "command" in s]
    commands.append(json.loads(dict(dockerfile())["CMD"]))
    for command in commands:
        if command[0] == "pg_isready":
            continue
        assert command[0] == script, command
        parser().parse_args(without_port(command[1:]))  # exits on an unknown command


def test_compose_runs_the_procfile_processes() -> None:
    services = compose()["services"]
    by_name = {"web": "serve", "release": "release", "clock": "clock"}
    for process, command in procfile().items():
        assert without_port(services[by_name[process]]["command"]) == without_port(command)
    # The image's default command is the web process.
    assert json.loads(dict(dockerfile())["CMD"]) == without_port(procfile()["web"])


def test_compose_migrates_once_before_serving_on_postgresql() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "release", "serve", "clock"}
    assert services["release"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("serve", "clock"):
        assert services[name]["depends_on"] == {
            "release": {"condition": "service_completed_successfully"}
        }
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert "@postgres:5432/" in services[name]["environment"]["DATABASE_URL"]
        assert services[name].get("deploy", {}).get("replicas", 1) == 1  # one clock
    assert services["serve"]["ports"] == ["${PORT:-3000}:3000"]
    assert services["serve"]["environment"]["PORT"] == "3000"


def test_the_image_is_python_311_slim_non_root_installing_the_package() -> None:
    steps = dockerfile()
    version = (ROOT / ".python-version").read_text().strip()
    assert steps[0] == ("FROM", f"python:{version}-slim")
    runs = [args for instruction, args in steps if instruction == "RUN"]
    assert any(args.startswith("pip install .") for args in runs)
    users = [args for instruction, args in steps if instruction == "USER"]
    assert users and users[-1] not in ("root", "0")
    # What pip install . needs is copied: pyproject.toml, its readme and every package.
    copied = " ".join(args for instruction, args in steps if instruction == "COPY").split()
    project = pyproject()
    assert "pyproject.toml" in copied and project["project"]["readme"] in copied
    for pattern in project["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        assert package in copied, package
        # ... and .dockerignore lets it through.
        assert f"!{package}/" in (ROOT / ".dockerignore").read_text()


def test_buildpack_files_match_pyproject() -> None:
    requirements = [
        line.strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # The package itself, so its dependencies are listed once, in pyproject.toml.
    assert requirements == ["."]
    version = (ROOT / ".python-version").read_text().strip()
    assert re.fullmatch(r"3\.\d+", version)  # major form: the buildpack keeps patches current
    minimum = pyproject()["project"]["requires-python"]
    assert minimum == ">=3.11"
    assert tuple(map(int, version.split("."))) >= (3, 11)
