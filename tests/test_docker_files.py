"""docker/: the image and the compose file, checked without a Docker engine.

Nothing here can build or run a container, so these tests read the files instead:
compose.yaml against the official Compose Specification schema (tests/data/compose-spec.json,
see compose-spec.NOTICE.md there), and the Dockerfile, the entry point and compose.yaml
against what they name: real ``yichuang`` sub-commands and flags, real settings, the port
the service listens on, the model path it loads. The health checks and the entry point are
also run for real, against a stub HTTP server and a stub ``yichuang``.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.cli.main import build_parser
from bot.settings import Settings
from tests.environment import unavailable

ROOT = Path(__file__).resolve().parents[1]
DOCKER = ROOT / "docker"
DOCKERFILE = DOCKER / "Dockerfile"
COMPOSE = DOCKER / "compose.yaml"
ENTRYPOINT = DOCKER / "entrypoint.sh"
ENV_EXAMPLE = DOCKER / "env.example"
DOCKERIGNORE = ROOT / ".dockerignore"
SCHEMA = Path(__file__).parent / "data" / "compose-spec.json"

#: Environment variables whose value is a secret: never written in a file of the repository.
SECRET_NAME = re.compile(r"(KEY|SECRET|TOKEN|PASSWORD)")
#: ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?error}``, ``${VAR?error}``.
INTERPOLATION = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)"  # the variable
    r"(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"  # its default or error message
)
SETTINGS_PREFIX = str(Settings.model_config.get("env_prefix", "YICHUANG_"))
SETTINGS_VARIABLE = re.compile(rf"\b{SETTINGS_PREFIX}[A-Z0-9_]+\b")


# --- reading the files -----------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    stage: int  # index of the FROM it belongs to; -1 for ARGs before the first FROM
    keyword: str  # upper case
    args: str


def parse_dockerfile(text: str) -> list[Instruction]:
    instructions: list[Instruction] = []
    stage = -1
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):  # comments and parser directives
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        pending = ""
        if keyword.upper() == "FROM":
            stage += 1
        instructions.append(Instruction(stage, keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends inside a continuation line"
    return instructions


INSTRUCTIONS = parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))
FINAL_STAGE = max(i.stage for i in INSTRUCTIONS)


def final(keyword: str) -> list[Instruction]:
    return [i for i in INSTRUCTIONS if i.stage == FINAL_STAGE and i.keyword == keyword]


def in_stage(stage: int, keyword: str) -> list[Instruction]:
    return [i for i in INSTRUCTIONS if i.stage == stage and i.keyword == keyword]


def argv_of(args: str) -> list[str]:
    """A CMD/ENTRYPOINT/RUN argument as argv: exec (JSON) form or shell form."""
    if args.startswith("["):
        value = json.loads(args)
        assert isinstance(value, list) and all(isinstance(v, str) for v in value)
        return value
    return shlex.split(args)


def options(args: str) -> tuple[dict[str, str], str]:
    """``--from=build --chown=1:1 a b`` → ({"from": "build", "chown": "1:1"}, "a b")."""
    found: dict[str, str] = {}
    rest = args
    while rest.startswith("--"):
        option, _, rest = rest.partition(" ")
        name, _, value = option[2:].partition("=")
        found[name] = value
        rest = rest.lstrip()
    return found, rest


def env_of(stage: int) -> dict[str, str]:
    """The ENV of one stage (``KEY=value`` pairs, the form this Dockerfile uses)."""
    env: dict[str, str] = {}
    for instruction in in_stage(stage, "ENV"):
        for pair in shlex.split(instruction.args):
            name, equals, value = pair.partition("=")
            assert equals, f"ENV {instruction.args!r}: write ENV NAME=value"
            env[name] = value
    return env


def stage_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for instruction in INSTRUCTIONS:
        if instruction.keyword == "FROM":
            words = instruction.args.split()
            if len(words) == 3 and words[1].upper() == "AS":
                names[words[2]] = instruction.stage
    return names


def base_images() -> list[str]:
    """Each stage's FROM image, global ARG defaults substituted."""
    defaults: dict[str, str] = {}
    for instruction in INSTRUCTIONS:
        if instruction.keyword == "ARG" and instruction.stage == -1:
            name, _, value = instruction.args.partition("=")
            defaults[name] = value
    images = []
    for instruction in INSTRUCTIONS:
        if instruction.keyword == "FROM":
            image = instruction.args.split()[0]
            images.append(re.sub(r"\$\{(\w+)\}", lambda m: defaults[m.group(1)], image))
    return images


def resolve_in_image(path: str, workdir: str) -> str:
    return str(PurePosixPath(workdir) / path) if not path.startswith("/") else path


def final_workdir() -> str:
    workdirs = final("WORKDIR")
    return workdirs[-1].args if workdirs else "/"


def substitute(value: str, env: dict[str, str]) -> str:
    """Compose's interpolation of one value, as far as compose.yaml uses it."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        present = env.get(name)
        unset = present is None or (op is not None and op.startswith(":") and not present)
        if op is not None and unset:
            if op.endswith("?"):
                raise KeyError(f"{name}: {arg}")
            return arg or ""
        return present or ""

    return INTERPOLATION.sub(one, value)


def load_compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


COMPOSE_FILE = load_compose()
SERVICES: dict[str, Any] = COMPOSE_FILE["services"]


def strings(node: Any) -> Iterator[str]:
    """Every string in a YAML document, keys and values (what compose interpolates)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def service_env(service: str) -> dict[str, str]:
    environment = SERVICES[service].get("environment", {})
    assert isinstance(environment, dict), "write environment: as a mapping"
    return {str(k): str(v) for k, v in environment.items()}


def shell_commands(text: str) -> list[list[str]]:
    """The ``yichuang …`` commands of a shell text (a RUN or the entry point script)."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = shlex.split(line, comments=True)
        segment: list[str] = []
        for word in [*words, ";"]:
            if word in ("&&", "||", ";", "|", "then", "do"):
                found += _yichuang_in(segment)
                segment = []
            else:
                segment.append(word.rstrip(";"))
    return found


def _yichuang_in(segment: list[str]) -> list[list[str]]:
    while segment[:1] in (["exec"], ["set"], ["--"]):
        segment = segment[1:]
    if segment[:1] != ["yichuang"]:
        return []
    argv = []
    for word in segment[1:]:
        if word.startswith((">", "<", "2>")):
            break
        argv.append(word)
    return [argv]


def yichuang_commands() -> dict[str, list[str]]:
    """Every ``yichuang`` command the image or compose.yaml runs, by where it is."""
    commands: dict[str, list[str]] = {}
    for instruction in INSTRUCTIONS:
        if instruction.keyword in ("RUN", "CMD", "ENTRYPOINT"):
            if instruction.args.startswith("["):
                argv = argv_of(instruction.args)
                if argv[:1] == ["yichuang"]:
                    commands[f"Dockerfile {instruction.keyword}"] = argv[1:]
            else:
                for argv in shell_commands(instruction.args):
                    commands[f"Dockerfile {instruction.keyword} {' '.join(argv[:2])}"] = argv
    for argv in shell_commands(ENTRYPOINT.read_text(encoding="utf-8")):
        commands[f"entrypoint.sh {' '.join(argv[:2])}"] = argv
    for name, service in SERVICES.items():
        command = service.get("command")
        if command is not None:
            argv = command if isinstance(command, list) else shlex.split(command)
            if argv[:1] == ["yichuang"]:
                commands[f"compose {name}"] = argv[1:]
    return commands


COMMANDS = yichuang_commands()


def cli_args(argv: list[str]) -> Any:
    """Parsed by the real ``yichuang`` parser (CliError on an unknown command or flag)."""
    return build_parser().parse_args(argv)


def final_cmd() -> list[str]:
    (cmd,) = final("CMD")
    return argv_of(cmd.args)


# --- the image -------------------------------------------------------------------------------


def test_the_image_is_multi_stage_on_python_3_11_slim() -> None:
    images = base_images()
    assert len(images) >= 2, "a build stage and a runtime stage"
    assert all(image.startswith("python:3.11-slim") for image in images), images


def test_the_project_is_installed_from_pyproject_in_the_build_stage() -> None:
    runs = " && ".join(i.args for i in in_stage(0, "RUN"))
    assert re.search(r"\bpip install (--no-deps )?\.(\s|$)", runs), runs
    copied = {options(i.args)[1].split()[0] for i in in_stage(0, "COPY")}
    assert {"pyproject.toml", "README.md", "bot", "dialogs", "knowledge", "nlu"} <= copied


def test_the_model_is_trained_at_build_time_where_the_service_loads_it() -> None:
    train = [(place, argv) for place, argv in COMMANDS.items() if argv[:2] == ["nlu", "train"]]
    assert len(train) == 1, "one `yichuang nlu train` in the Dockerfile"
    place, argv = train[0]
    assert place.startswith("Dockerfile RUN")
    args = cli_args(argv)
    assert args.out is not None, "train into an explicit --out"
    assert args.data is None, "train on the package's own data, the data the service checks"
    model = str(args.out)
    assert env_of(FINAL_STAGE).get(f"{SETTINGS_PREFIX}NLU_MODEL_PATH") == model
    build_stages = set(stage_names())
    copies = [options(i.args) for i in final("COPY")]
    assert any(
        opts.get("from") in build_stages
        and len(paths.split()) == 2
        and (model + "/").startswith(paths.split()[0].rstrip("/") + "/")
        and paths.split()[0] == paths.split()[1]
        for opts, paths in copies
    ), f"the runtime stage copies {model} from the build stage to the same path"
    assert not any("nlu train" in i.args for i in final("RUN")), "no training in the runtime"


def test_the_service_runs_as_a_non_root_user() -> None:
    final_instructions = [i for i in INSTRUCTIONS if i.stage == FINAL_STAGE]
    keywords = [i.keyword for i in final_instructions]
    assert "USER" in keywords
    last_user = max(n for n, k in enumerate(keywords) if k == "USER")
    for keyword in ("CMD", "ENTRYPOINT"):
        assert keyword in keywords
        assert last_user < keywords.index(keyword), f"USER comes before {keyword}"
    user = final_instructions[last_user].args
    name, _, group = user.partition(":")
    assert name not in ("root", "0") and group not in ("root", "0"), user
    if name.isdigit():  # the numeric id is the one the build creates
        runs = " ".join(i.args for i in final("RUN"))
        assert re.search(rf"useradd\b[^&;]*--uid {name}\b", runs), runs


def test_the_service_listens_on_the_exposed_port() -> None:
    (expose,) = final("EXPOSE")
    assert expose.args == "8000"
    cmd = final_cmd()
    assert cmd[0] == "yichuang"
    args = cli_args(cmd[1:])
    assert args.command == "serve"
    assert (args.host, args.port, args.json) == ("0.0.0.0", 8000, True)


def test_the_health_check_asks_health_with_python() -> None:
    (check,) = final("HEALTHCHECK")
    opts, rest = options(check.args)
    assert {"interval", "timeout", "start-period", "retries"} <= set(opts)
    keyword, _, command = rest.partition(" ")
    assert keyword == "CMD"
    argv = argv_of(command)
    assert argv[:2] == ["python", "-c"], "slim images have no curl or wget"
    assert "http://127.0.0.1:8000/health" in argv[2]


def test_secrets_are_not_baked_into_the_image() -> None:
    for instruction in INSTRUCTIONS:
        if instruction.keyword in ("ENV", "ARG"):
            names = [pair.partition("=")[0] for pair in shlex.split(instruction.args)]
            assert not any(SECRET_NAME.search(n) for n in names), instruction
    for stage in range(FINAL_STAGE + 1):
        for variable in env_of(stage):
            assert not SECRET_NAME.search(variable)
    sources = [options(i.args)[1].split()[:-1] for i in INSTRUCTIONS if i.keyword == "COPY"]
    assert not any(".env" in PurePosixPath(s).name for paths in sources for s in paths)


def test_config_is_in_the_image_where_the_service_reads_it() -> None:
    config_dir = env_of(FINAL_STAGE).get(f"{SETTINGS_PREFIX}CONFIG_DIR")
    assert config_dir is not None and config_dir.startswith("/")
    copies = [options(i.args)[1].split() for i in final("COPY") if "from" not in options(i.args)[0]]
    assert any(
        paths[0].rstrip("/") == "config"
        and resolve_in_image(paths[1], final_workdir()).rstrip("/") == config_dir
        for paths in copies
    ), copies


def test_everything_the_dockerfile_copies_exists_and_is_not_ignored() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for instruction in INSTRUCTIONS:
        opts, paths = options(instruction.args)
        if instruction.keyword != "COPY" or "from" in opts:
            continue
        for source in paths.split()[:-1]:
            assert (ROOT / source).exists(), source
            for pattern in patterns:
                assert not fnmatch(source, pattern.removeprefix("**/")), (source, pattern)


def test_dockerignore_keeps_out_the_local_environment_and_secrets() -> None:
    lines = set(DOCKERIGNORE.read_text(encoding="utf-8").split())
    for entry in (".git", ".venv", "var", "**/.env", "**/__pycache__"):
        assert entry in lines, entry
    for cache in (".pytest_cache", ".mypy_cache", ".ruff_cache"):
        assert cache in lines, cache


# --- the entry point -------------------------------------------------------------------------


@pytest.fixture
def fake_yichuang(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    """A ``yichuang`` on PATH that logs its arguments; ``db`` fails when FAIL_DB is set."""
    if shutil.which("sh") is None:
        pytest.skip("no POSIX shell")
    log = tmp_path / "calls.log"
    script = tmp_path / "bin" / "yichuang"
    script.parent.mkdir()
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{log}"\n'
        'if [ "$1" = db ] && [ -n "${FAIL_DB:-}" ]; then echo "db down" >&2; exit 2; fi\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    env = {**os.environ, "PATH": f"{script.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    yield env, log


def run_entrypoint(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *argv], env=env, capture_output=True, text=True, timeout=30
    )


def test_the_image_enters_through_the_entrypoint_script() -> None:
    (entrypoint,) = final("ENTRYPOINT")
    (target,) = argv_of(entrypoint.args)
    copies = [options(i.args)[1].split() for i in final("COPY")]
    assert ["docker/entrypoint.sh", target] in copies
    assert os.access(ENTRYPOINT, os.X_OK)
    assert ENTRYPOINT.read_text(encoding="utf-8").startswith("#!/bin/sh\n")


def test_the_entrypoint_migrates_then_serves(fake_yichuang: tuple[dict[str, str], Path]) -> None:
    env, log = fake_yichuang
    result = run_entrypoint(env, *final_cmd())
    assert result.returncode == 0, result.stderr
    assert log.read_text(encoding="utf-8").splitlines() == [
        "db upgrade",
        " ".join(final_cmd()[1:]),
    ]


def test_the_entrypoint_defaults_to_the_image_command(
    fake_yichuang: tuple[dict[str, str], Path],
) -> None:
    env, log = fake_yichuang
    assert run_entrypoint(env).returncode == 0
    assert log.read_text(encoding="utf-8").splitlines() == [
        "db upgrade",
        " ".join(final_cmd()[1:]),
    ]


def test_the_entrypoint_does_not_serve_on_a_failed_migration(
    fake_yichuang: tuple[dict[str, str], Path],
) -> None:
    env, log = fake_yichuang
    result = run_entrypoint({**env, "FAIL_DB": "1"}, *final_cmd())
    assert result.returncode == 2
    assert "db down" in result.stderr
    assert log.read_text(encoding="utf-8").splitlines() == ["db upgrade"]


def test_the_entrypoint_runs_other_commands_as_they_are(
    fake_yichuang: tuple[dict[str, str], Path],
) -> None:
    env, log = fake_yichuang
    command = ["yichuang", *COMMANDS["compose court-sim"]]
    assert run_entrypoint(env, *command).returncode == 0
    assert log.read_text(encoding="utf-8").splitlines() == [" ".join(command[1:])]


# --- every yichuang command named is real ----------------------------------------------------


def test_the_files_name_the_commands_they_should() -> None:
    named = {" ".join(argv[:2]) for argv in COMMANDS.values()}
    assert {"nlu train", "db upgrade", "court-sim --host"} <= named
    assert any(argv[0] == "serve" for argv in COMMANDS.values())


@pytest.mark.parametrize("place", sorted(COMMANDS))
def test_every_yichuang_command_parses(place: str) -> None:
    """The real parser accepts the sub-command and every flag and value given to it."""
    args = cli_args(COMMANDS[place])
    assert callable(args.func)


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("yichuang")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bot.cli.main"]


@pytest.mark.parametrize(
    "words",
    sorted({tuple(w for w in argv[:2] if not w.startswith("-")) for argv in COMMANDS.values()}),
    ids=" ".join,
)
def test_every_yichuang_sub_command_answers_help(words: tuple[str, ...]) -> None:
    result = subprocess.run(
        [*_console_script(), *words, "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: yichuang {' '.join(words)}"), result.stdout


# --- the health checks, run for real ----------------------------------------------------------


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path in ("/health", "/openapi.json") else 404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def stub_server() -> Iterator[tuple[ThreadingHTTPServer, type[_Health]]]:
    class Handler(_Health):
        status = 200

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, Handler
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run_check(argv: list[str], service_port: int, port: int) -> int:
    assert argv[0] == "python"
    code = argv[2].replace(f"127.0.0.1:{service_port}/", f"127.0.0.1:{port}/")
    assert code != argv[2], "the check asks the service's own port"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30).returncode


#: The Python health checks: the image's, and those compose.yaml gives a service of its own.
HEALTH_CHECKS = ["image"] + [
    f"compose {name}"
    for name, service in SERVICES.items()
    if service.get("healthcheck", {}).get("test", [])[:2] == ["CMD", "python"]
]


def _health_check(check: str) -> tuple[list[str], int]:
    """A health check's command and the port of the service it checks."""
    if check == "image":
        (instruction,) = final("HEALTHCHECK")
        command = argv_of(options(instruction.args)[1].partition(" ")[2])
        return command, cli_args(final_cmd()[1:]).port
    service = SERVICES[check.removeprefix("compose ")]
    command = service.get("command")
    assert isinstance(command, list) and command[0] == "yichuang"
    return service["healthcheck"]["test"][1:], cli_args(command[1:]).port


@pytest.mark.parametrize("check", HEALTH_CHECKS)
def test_health_checks_pass_only_on_a_healthy_answer(
    check: str, stub_server: tuple[ThreadingHTTPServer, type[_Health]]
) -> None:
    argv, service_port = _health_check(check)
    server, handler = stub_server
    port = server.server_address[1]
    handler.status = 200
    assert _run_check(argv, service_port, port) == 0
    handler.status = 503  # /health while the database is unreachable
    assert _run_check(argv, service_port, port) != 0
    assert _run_check(argv, service_port, _free_port()) != 0  # nothing listening


# --- compose.yaml ----------------------------------------------------------------------------


def _jsonschema() -> ModuleType:
    try:
        return importlib.import_module("jsonschema")
    except ImportError:
        unavailable("jsonschema is not installed (the dev extras)")


def _schema_errors(document: Any) -> list[str]:
    jsonschema = _jsonschema()
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = validator_class(schema).iter_errors(document)
    return sorted(
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}" for error in errors
    )


def test_compose_file_follows_the_compose_specification() -> None:
    assert _schema_errors(COMPOSE_FILE) == []


def test_the_schema_check_catches_mistakes() -> None:
    broken = load_compose()
    broken["services"]["app"]["healthchek"] = broken["services"]["court-sim"].pop("healthcheck")
    broken["services"]["db"]["ports"] = "5432:5432"
    errors = _schema_errors(broken)
    assert any(e.startswith("services/app") and "healthchek" in e for e in errors), errors
    assert any(e.startswith("services/db/ports") for e in errors), errors


def test_compose_runs_the_app_the_database_and_the_simulator() -> None:
    assert set(SERVICES) == {"app", "db", "court-sim"}
    build = SERVICES["app"]["build"]
    assert (DOCKER / build["context"]).resolve() == ROOT
    assert (DOCKER / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
    assert SERVICES["court-sim"]["build"] == build, "the simulator runs the same image"
    assert SERVICES["court-sim"]["image"] == SERVICES["app"]["image"]


def test_the_app_runs_the_image_command() -> None:
    assert "command" not in SERVICES["app"] and "entrypoint" not in SERVICES["app"]


def test_the_simulator_listens_on_all_interfaces() -> None:
    argv = COMMANDS["compose court-sim"]
    args = cli_args(argv)
    assert (args.command, args.host, args.port) == ("court-sim", "0.0.0.0", 8001)
    assert args.faults is False, "no fault injection outside tests"


def test_the_database_is_postgres_16_on_a_named_volume() -> None:
    db = SERVICES["db"]
    assert db["image"].split(":")[:2] == ["postgres", "16"]
    volumes = [v.split(":") for v in db["volumes"]]
    assert ["pgdata", "/var/lib/postgresql/data"] in volumes
    assert "pgdata" in COMPOSE_FILE["volumes"]
    test = db["healthcheck"]["test"]
    assert test[:2] == ["CMD", "pg_isready"]
    env = service_env("db")
    assert test[test.index("-U") + 1] == env["POSTGRES_USER"]
    assert test[test.index("-d") + 1] == env["POSTGRES_DB"]


def test_the_app_waits_for_a_healthy_database() -> None:
    assert SERVICES["app"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_only_the_app_publishes_a_port() -> None:
    assert [name for name, s in SERVICES.items() if "ports" in s] == ["app"]
    (port,) = SERVICES["app"]["ports"]
    assert isinstance(port, str)
    exposed = final("EXPOSE")[0].args
    assert substitute(port, {}).split(":")[-1] == exposed
    assert substitute(port, {}).startswith("127.0.0.1:"), "loopback unless HTTP_BIND says so"
    internal = {n for n, net in COMPOSE_FILE.get("networks", {}).items() if net.get("internal")}
    for name in ("db", "court-sim"):
        assert set(SERVICES[name]["networks"]) <= internal, name


def test_the_app_reaches_the_database_by_its_service_name() -> None:
    env = service_env("app")
    url = make_url(substitute(env[f"{SETTINGS_PREFIX}DATABASE_URL"], {"POSTGRES_PASSWORD": "pw"}))
    db = service_env("db")
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port) == ("db", 5432)
    assert (url.username, url.password, url.database) == (
        db["POSTGRES_USER"],
        "pw",
        db["POSTGRES_DB"],
    )
    password = INTERPOLATION.fullmatch(db["POSTGRES_PASSWORD"])
    assert password is not None and password["name"] == "POSTGRES_PASSWORD"


def test_the_app_asks_the_simulator_with_the_same_key() -> None:
    env = service_env("app")
    url = substitute(env[f"{SETTINGS_PREFIX}COURT_API_URL"], {})
    port = cli_args(COMMANDS["compose court-sim"]).port
    assert url == f"http://court-sim:{port}"
    key = f"{SETTINGS_PREFIX}COURT_API_KEY"
    assert env[key] == service_env("court-sim")[key]


def test_config_can_be_replaced_by_a_volume() -> None:
    config_dir = env_of(FINAL_STAGE)[f"{SETTINGS_PREFIX}CONFIG_DIR"]
    mounts = [v.split(":") for v in SERVICES["app"]["volumes"]]
    (mount,) = [m for m in mounts if m[1] == config_dir]
    assert (DOCKER / mount[0]).resolve() == ROOT / "config"
    assert mount[2:] == ["ro"]


def test_every_yichuang_variable_is_a_setting() -> None:
    fields = set(Settings.model_fields)
    for path in (COMPOSE, ENV_EXAMPLE, DOCKERFILE, ENTRYPOINT):
        for variable in set(SETTINGS_VARIABLE.findall(path.read_text(encoding="utf-8"))):
            field = variable.removeprefix(SETTINGS_PREFIX).lower()
            assert field in fields, f"{path.name}: {variable} is not a field of Settings"


def test_no_secret_is_written_in_compose() -> None:
    for name in SERVICES:
        for variable, value in service_env(name).items():
            if SECRET_NAME.search(variable):
                match = INTERPOLATION.fullmatch(value)
                assert match is not None, f"{name}: {variable} must come from the environment"
                assert match["op"] in (None, ":?", "?") or match["arg"] == "", (name, variable)
            masked = INTERPOLATION.sub("(env)", value)  # their own text may hold / or @
            for password in re.findall(r"://[^/@:]*:([^/@]*)@", masked):
                assert password == "(env)", f"{name}: a password written in {variable}"
    required = {
        variable
        for name in SERVICES
        for variable, value in service_env(name).items()
        if (m := INTERPOLATION.fullmatch(value)) and m["op"] == ":?"
    }
    assert {
        "POSTGRES_PASSWORD",
        f"{SETTINGS_PREFIX}COURT_API_KEY",
        f"{SETTINGS_PREFIX}DESK_SECRET_KEY",
        f"{SETTINGS_PREFIX}PUBLIC_BASE_URL",
    } <= required


def test_the_example_env_file_holds_no_secret() -> None:
    names = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.lstrip("# ").strip()
        name, equals, value = line.partition("=")
        if equals and re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            names.append(name)
            if SECRET_NAME.search(name):
                assert value == "", f"env.example: {name} must be left empty"
    interpolated = {
        m["name"] for text in strings(COMPOSE_FILE) for m in INTERPOLATION.finditer(text)
    }
    assert interpolated <= set(names), "env.example lists every variable compose.yaml reads"


def test_the_readme_tells_how_to_start_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Running with Docker\n" in readme
    section = readme.split("\n## Running with Docker\n", 1)[1].split("\n## ", 1)[0]
    assert "docker compose -f docker/compose.yaml up" in section
    assert "yichuang desk add-staff" in section and "/metrics" in section
    required = {
        m["name"]
        for text in strings(COMPOSE_FILE)
        for m in INTERPOLATION.finditer(text)
        if m["op"] == ":?"
    }
    for variable in sorted(required):
        assert f"`{variable}`" in section, f"README: say that {variable} must be set"
    commands = re.findall(r"\bexec (?:-T )?app yichuang ([^\n`|]+)", section)
    assert commands, "README: how to add the first desk admin"
    for command in commands:
        assert callable(cli_args(shlex.split(command)).func), command
