"""Hold the import rules of the house style (docs/style.md) by walking the source."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "entrepot"

#: Layers point inward: a module may import its own layer or an inner one.
RANKS = {
    "": 0,
    "errors": 0,
    "sizes": 0,
    "encodings": 0,
    "local_paths": 0,
    "i18n": 0,
    "messages": 0,
    "masking": 0,
    "background": 0,
    "outbound": 0,
    "storage": 1,
    "catalog": 2,
    "services": 3,
    "health": 3,
    "registry": 4,
    "relocation": 4,
    "fraud": 5,
    "city": 5,
    "city_service": 5,
    "accounts": 5,
    "jobs": 5,
    "fraud_service": 5,
    "bootstrap": 6,
    "config": 6,
    "config_values": 6,
    "config_libraries": 6,
    "http": 7,
    "api": 8,
    "dashboard": 8,
    "web": 8,
    "asgi": 9,
    "cli": 9,
    "__main__": 9,
}
#: The three web entrypoints: each imports the shared HTTP plumbing (``http``), never
#: another of the three; :mod:`entrepot.asgi` alone assembles them.
WEB_ENTRYPOINTS = {"api", "web", "dashboard"}
APPS = {"fraud", "city"}
#: The fraud engine's sub-packages stack the same way: a package imports its own rank or a
#: lower one (score -> library -> train -> match, model -> schema -> tables; synth a leaf).
FRAUD_RANKS = {
    "errors": 0,
    "tables": 0,
    "synth": 0,
    "schema": 1,
    "model": 2,
    "match": 2,
    "train": 3,
    "library": 4,
    "score": 5,
}
#: At most these modules stay at the top of ``fraud/``; everything else lives in a concept.
FRAUD_TOP = {"entrepot.fraud", "entrepot.fraud.errors"}
CONCRETE_STORES = {
    "entrepot.storage.local",
    "entrepot.storage.memory",
    "entrepot.storage.s3",
    "entrepot.storage.cache",
}
#: The composition root (the App, its parts and where it finds the instance) and the URL opener.
MAY_PICK_BACKENDS = {
    "entrepot.bootstrap.app",
    "entrepot.bootstrap.parts",
    "entrepot.bootstrap.instance",
    "entrepot.storage.url",
}
#: Heavy SDKs and the only modules allowed to import them.
SDK_HOMES = {
    "obstore": {"entrepot.storage.s3"},
    "boto3": {"entrepot.storage.s3_buckets", "entrepot.city.metrics.dynamodb"},
    "botocore": {"entrepot.storage.s3_buckets", "entrepot.city.metrics.dynamodb"},
    "pymongo": {"entrepot.city.metrics.mongodb"},
    "huey": {"entrepot.jobs.queue"},
    "authlib": {"entrepot.web.oidc"},
    "argon2": {"entrepot.accounts.passwords"},
    "babel": {
        "entrepot.i18n.catalogs",
        "entrepot.i18n.formats",
        "entrepot.i18n.negotiation",
        "entrepot.i18n.charts",
    },
}
#: Presentation libraries: only the command line (``cli/``) renders for a terminal.
PRESENTATION = {"typer", "rich", "click"}
IMPORT_TIME_CALLS = {"Settings", "load_settings", "create_engine", "make_engine", "bootstrap"}
#: Package data (the arrondissement polygons...) is read on first use, never at import.
IMPORT_TIME_CALLS |= {"read_text", "read_bytes", "arrondissement_polygons"}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append((".".join(parts), path))
    return found


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
                parts = package.split(".")
                prefix = ".".join(parts[: len(parts) - (node.level - 1)])
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "entrepot":
        return None
    return parts[1] if len(parts) > 1 else ""


MODULES = _modules()


def test_the_walk_finds_the_package() -> None:
    names = {m for m, _ in MODULES}
    assert {"entrepot.errors", "entrepot.storage.base", "entrepot.bootstrap"} <= names


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_layers_point_inward(module: str, path: Path) -> None:
    own = _layer(module)
    if own is None or own not in RANKS:
        pytest.fail(f"{module}: add its layer to RANKS in this test")
    for target in _imports(path, module):
        layer = _layer(target)
        if layer is None or layer == own or layer == "":
            continue
        assert layer in RANKS, f"{module} imports unknown layer {target}"
        assert RANKS[layer] <= RANKS[own], f"{module} ({own}) imports outer layer {target}"
        assert not (own in APPS and layer in APPS), f"app {module} imports another app {target}"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_the_web_entrypoints_never_import_one_another(module: str, path: Path) -> None:
    own = _layer(module)
    if own not in WEB_ENTRYPOINTS:
        return
    for target in _imports(path, module):
        layer = _layer(target)
        assert layer == own or layer not in WEB_ENTRYPOINTS, (
            f"{module} imports {target}: shared HTTP code goes in entrepot.http, and only "
            "entrepot.asgi puts the API, the pages and the dashboard together"
        )


ROUTE_PACKAGES = ("entrepot.api.routes.",)


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_a_route_module_never_imports_another_route_module(module: str, path: Path) -> None:
    own = next((p for p in ROUTE_PACKAGES if module.startswith(p)), None)
    if own is None:
        return
    for target in _imports(path, module):
        assert not target.startswith(own), (
            f"{module} imports {target}: what two routes share lives in entrepot.http "
            "(or in a service), not in one of them"
        )


def test_nothing_imports_the_assembled_app_but_the_serve_command() -> None:
    for module, path in MODULES:
        if module in ("entrepot.asgi", "entrepot.cli.serve"):
            continue
        assert "entrepot.asgi" not in _imports(path, module), module


def test_only_the_write_protocol_adds_object_rows() -> None:
    """Objects first, then their rows with the caller's own, in one unit of work: one
    module does it (``services/write_protocol.py``), every writer calls it."""
    adders = sorted(
        module
        for module, path in MODULES
        if ".objects.add(" in path.read_text(encoding="utf-8")
        and module != "entrepot.catalog.uow"  # its docstring shows the repository call
    )
    assert adders == ["entrepot.services.write_protocol"]


#: The entrypoints and what assembles them: they call services, and never open a unit of
#: work or speak SQL themselves.
ENTRYPOINTS = {"cli", "api", "web", "dashboard", "http", "asgi"}


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_entrypoints_open_no_unit_of_work_and_write_no_sql(module: str, path: Path) -> None:
    if _layer(module) not in ENTRYPOINTS:
        return
    text = path.read_text(encoding="utf-8")
    assert ".uow()" not in text, f"{module} opens a unit of work: call a service method"
    for target in _imports(path, module):
        root = target.split(".")[0]
        assert root != "sqlalchemy" or target.startswith("sqlalchemy.exc"), (
            f"{module} imports {target}: SQL lives in catalog/, reached through a service"
        )


#: What any entrypoint may import: the composition root, the error modules, record types
#: (``*.records``), the messages services return as key and parameters for an entrypoint
#: to write in its reader's language (``*.messages``, ADR 0037), the shared HTTP plumbing,
#: the interface's languages, byte sizes, masked URLs and the outbound rule (ADR 0052: the
#: OpenID sign-in holds it on authlib's requests), and its own package; ``asgi`` also the
#: three web entrypoints it assembles.
ENTRYPOINT_CORE = {
    "bootstrap",
    "errors",
    "http",
    "i18n",
    "messages",
    "sizes",
    "masking",
    "outbound",
    "",
}
#: What each entrypoint still reaches into beyond that (issue 23): each entry is a use case
#: still composed in the entrypoint, or a constant or view not yet moved beside its record.
#: The list only shrinks: a test fails on a new entry, and on an entry no longer used.
ENTRYPOINT_RESIDUE: dict[str, frozenset[str]] = {
    "cli": frozenset(
        {
            "asgi",
            "catalog.engine",
            "city.collect.collector",
            "city.collect.feeds",
            "city.kinds",
            "city.limits",
            "city.runs",
            "config",
            "fraud.library.build",
            "fraud.match.matching",
            "fraud_service.job_payloads",
            "registry.history",
            "registry.names",
            "registry.service",
            "storage.hashing",
        }
    ),
    "api": frozenset(
        {
            "accounts.admin",
            "accounts.licences",
            "city.kinds",
            "city.runtime",
            "fraud_service",
            "fraud_service.glossary",
            "fraud_service.review",
            "fraud_service.uploads",
            "fraud_service.user_models",
            "health",
            "registry.names",
        }
    ),
    "web": frozenset(
        {
            "fraud_service.reference_progress",
            "jobs.codes",
            "registry.names",
        }
    ),
    "dashboard": frozenset(
        {
            "city.kinds",
            "city.places",
            "city.polygons",
            "city.report",
        }
    ),
    "http": frozenset(
        {
            "accounts",
            "catalog.paging",
            "city.runtime",
            "config",
            "fraud",
            "fraud_service",
            "fraud_service.options",
            "jobs.codes",
            "jobs.service",
            "registry",
        }
    ),
}


def _resolved(target: str) -> str | None:
    """The module a name imports (the longest module it names), or ``None``."""
    known = {m for m, _ in MODULES}
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def _entrypoint_reaches(module: str, path: Path) -> set[str]:
    """What ``module`` (an entrypoint's) imports beyond the core allowed to every one."""
    own = _layer(module)
    found = set()
    for name in _imports(path, module):
        target = _resolved(name)
        layer = _layer(target) if target else None
        if target is None or layer is None or layer == own or layer in ENTRYPOINT_CORE:
            continue
        if own == "asgi" and layer in WEB_ENTRYPOINTS:
            continue
        if target.endswith(".errors") or target.rsplit(".", 1)[-1] in {"records", "messages"}:
            continue
        found.add(target.removeprefix("entrepot."))
    return found


ENTRYPOINT_MODULES = [(m, p) for m, p in MODULES if _layer(m) in ENTRYPOINTS]


@pytest.mark.parametrize(
    ("module", "path"), ENTRYPOINT_MODULES, ids=[m for m, _ in ENTRYPOINT_MODULES]
)
def test_entrypoints_import_only_the_core_and_their_listed_residue(module: str, path: Path) -> None:
    allowed = ENTRYPOINT_RESIDUE.get(_layer(module) or "", frozenset())
    extra = sorted(_entrypoint_reaches(module, path) - allowed)
    assert extra == [], (
        f"{module} reaches into {extra}: call a service method (bootstrap's App) instead"
    )


def test_the_entrypoint_residue_holds_no_stale_entry() -> None:
    used: dict[str, set[str]] = {}
    for module, path in ENTRYPOINT_MODULES:
        used.setdefault(_layer(module) or "", set()).update(_entrypoint_reaches(module, path))
    for package, allowed in ENTRYPOINT_RESIDUE.items():
        stale = sorted(allowed - used.get(package, set()))
        assert stale == [], f"remove {stale} from ENTRYPOINT_RESIDUE[{package!r}]"


def _import_graph() -> dict[str, set[str]]:
    """Each module and the modules it imports anywhere (at import time, in a function, or for
    type checking): a name is resolved to the longest module it names."""
    names = {m for m, _ in MODULES}
    graph: dict[str, set[str]] = {}
    for module, path in MODULES:
        found = set()
        for target in _imports(path, module):
            while target and target not in names:
                target = target.rpartition(".")[0]
            # a module importing its own package's face is not an arrow back
            if target and target != module and not module.startswith(target + "."):
                found.add(target)
        graph[module] = found
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_anywhere() -> None:
    """No circle of imports in ``src/``, counting lazy and type-checking imports too: a part
    that needs another's object takes it as an argument (the composition root passes it)."""
    assert _cycles(_import_graph()) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


def _fraud_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["entrepot", "fraud"] else None


def _in_fraud(module: str) -> bool:
    return module == "entrepot.fraud" or module.startswith("entrepot.fraud.")


FRAUD_MODULES = [(m, p) for m, p in MODULES if _in_fraud(m)]


@pytest.mark.parametrize(("module", "path"), FRAUD_MODULES, ids=[m for m, _ in FRAUD_MODULES])
def test_fraud_packages_stack_without_cycles(module: str, path: Path) -> None:
    own = _fraud_package(module)
    if own is None:  # the package itself
        return
    assert own in FRAUD_RANKS, f"{module}: a fraud module outside the concept packages"
    for target in _imports(path, module):
        package = _fraud_package(target)
        if package is None or package == own:
            continue
        assert package in FRAUD_RANKS, f"{module} imports {target}, outside the concept packages"
        assert FRAUD_RANKS[package] <= FRAUD_RANKS[own], (
            f"{module} ({own}) imports {target} ({package}): the fraud packages point back up"
        )


def test_fraud_keeps_a_handful_of_top_level_modules() -> None:
    top = {m for m, p in FRAUD_MODULES if p.parent == SRC / "fraud"}
    assert top <= FRAUD_TOP, f"move {sorted(top - FRAUD_TOP)} into a concept package"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_only_the_composition_root_picks_backends(module: str, path: Path) -> None:
    if module in MAY_PICK_BACKENDS or module in CONCRETE_STORES:
        return
    for target in _imports(path, module):
        for concrete in CONCRETE_STORES:
            assert not (target == concrete or target.startswith(concrete + ".")), (
                f"{module} imports the concrete store {concrete}; take a storage Protocol instead"
            )


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_sdks_live_in_one_adapter(module: str, path: Path) -> None:
    for target in _imports(path, module):
        root = target.split(".")[0]
        if root in SDK_HOMES:
            assert module in SDK_HOMES[root], f"{module} imports {root}; only {SDK_HOMES[root]} may"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_presentation_libraries_live_in_the_cli(module: str, path: Path) -> None:
    if _layer(module) == "cli":
        return
    for target in _imports(path, module):
        assert target.split(".")[0] not in PRESENTATION, (
            f"{module} imports {target}: terminal rendering and commands belong in cli/"
        )


def test_commands_get_their_app_from_the_composition_root() -> None:
    """No string keys in ``ctx.meta`` and no hand-built stores or registries in ``cli/``:
    commands take the App (``cli.context.current_app``), which the composition root wires."""
    for module, path in MODULES:
        if _layer(module) != "cli":
            continue
        text = path.read_text(encoding="utf-8")
        assert "ctx.meta" not in text, f"{module} passes state through ctx.meta"
        assert "entrepot.storage.url" not in _imports(path, module), (
            f"{module} opens stores itself; use App.open_store"
        )


def test_storage_never_reads_settings_and_catalog_never_imports_storage() -> None:
    for module, path in MODULES:
        targets = _imports(path, module)
        if _layer(module) == "storage":
            assert not any(t.startswith("entrepot.config") for t in targets), module
        if _layer(module) == "catalog":
            assert not any(t.startswith("entrepot.storage") for t in targets), module


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_no_work_at_import_time(module: str, path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        for sub in ast.walk(node):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                break
            if isinstance(sub, ast.Call):
                func = sub.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                assert name not in IMPORT_TIME_CALLS, f"{module} calls {name}() at import time"


def test_the_cli_starts_without_the_database_or_ml_libraries() -> None:
    """`entrepot --help` must not pay for SQLAlchemy, pandas or scikit-learn: commands
    import what they use when they run (a regression: the registry was imported at start)."""
    probe = (
        "import sys, entrepot.cli.main; "
        "print(sorted(m for m in ('sqlalchemy', 'pandas', 'sklearn', 'lightgbm', 'numpy') "
        "if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "[]"


#: Libraries a catalog command must not load: the ML stack, the web framework, Alembic
#: (the schema check reads one row), the city pipeline's engines.
HEAVY = (
    "sklearn", "numpy", "pandas", "lightgbm", "xgboost", "fastapi", "alembic", "torch",
    "plotly", "duckdb",
)  # fmt: skip
#: Nor, for a listing, the ORM and pydantic: settings are a dataclass and listings are
#: Core queries (``catalog/listings.py``, ADR 0030).
LISTING_FREE_OF = ("sqlalchemy.orm", "pydantic")
#: The commands people run to look at the catalog: they load what they show, nothing more
#: (``fraud``, ``city run`` and ``serve`` may load the ML stack and the web framework).
CATALOG_COMMANDS = (("ls",), ("models", "ls"), ("users", "list"), ("city", "status"))


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A folder with a migrated SQLite catalog, and the environment that points at it."""
    from entrepot.catalog.engine import make_engine
    from entrepot.catalog.migrate import upgrade

    folder = tmp_path_factory.mktemp("installation")
    url = f"sqlite:///{folder / 'catalog.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env.update(
        ENTREPOT_DATABASE_URL=url,
        ENTREPOT_STORE_URL=str(folder / "store"),
        ENTREPOT_VAR_DIR=str(folder / "var"),
        PYTHONPATH=os.pathsep.join([str(SRC.parent), env.get("PYTHONPATH", "")]),
    )
    return folder, env


@pytest.mark.parametrize("command", CATALOG_COMMANDS, ids=" ".join)
def test_catalog_commands_load_no_heavy_library(
    installation: tuple[Path, dict[str, str]], command: tuple[str, ...]
) -> None:
    """An import-set test, not a timing test: the command runs in a fresh interpreter,
    which then says which of :data:`HEAVY` it loaded."""
    folder, env = installation
    probe = (
        "import json, sys; from entrepot.cli.main import main; code = main(sys.argv[1:]); "
        f"loaded = sorted(m for m in {HEAVY + LISTING_FREE_OF!r} if m in sys.modules); "
        "print(json.dumps([code, loaded]), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], cwd=folder, env=env, capture_output=True, text=True
    )
    code, loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert code == 0, done.stderr
    assert loaded == [], f"`entrepot {' '.join(command)}` loads {loaded}: import them lazily"


#: What a regular expression is written with, and what of it spells no word (its escapes
#: such as ``\d``, its group names).
_REGEX_SYNTAX = r"\\[dDsSwWb]|\(\?P<|\)[?*+]|\\\(|\[\^?\\?[\w.-]+\][*+?]"
_PATTERN_NOISE = r"\\.|\(\?P<\w+>|\(\?P=\w+\)"


def sentence_patterns(path: Path) -> list[str]:
    """The regular expressions of a module that imports ``re`` and that spell a word (two
    letters or more), wherever they are written (a call, a table of patterns): a pattern
    that reads a sentence back, which the dashboard must never hold (ADR 0037)."""
    import re

    tree = ast.parse(path.read_text(encoding="utf-8"))
    if "re" not in _imports(path, "entrepot"):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            words = re.sub(_PATTERN_NOISE, " ", text)
            if re.search(_REGEX_SYNTAX, text) and re.search(r"[^\W\d_]{2,}", words):
                found.append(text)
    return found


def test_the_sentence_finder_finds_a_sentence(tmp_path: Path) -> None:
    module = tmp_path / "labels.py"
    module.write_text(
        "import re\n"
        'TABLE = ((r"pluie (?P<hours>\\d+) h", "key"),)\n'
        "PATTERNS = [re.compile(p) for p, _ in TABLE]\n"
        'DAY = re.compile(r"\\d{4}-\\d{2}-\\d{2}")\n'
        'TEXT = "rain (3 h) is not a pattern"\n'
    )
    assert sentence_patterns(module) == [r"pluie (?P<hours>\d+) h"]


@pytest.mark.parametrize(
    ("module", "path"), [m for m in MODULES if m[0].startswith("entrepot.dashboard")]
)
def test_the_dashboard_parses_no_sentence(module: str, path: Path) -> None:
    """The city documents store keys and codes: no pattern turns their text into a key."""
    assert sentence_patterns(path) == [], f"{module} reads sentences back"


#: Where a message becomes words: none reads a sentence back into a key (ADR 0036).
MESSAGE_WRITERS = ("entrepot.messages", "entrepot.i18n.messages", "entrepot.web.phrases")


@pytest.mark.parametrize("module", MESSAGE_WRITERS)
def test_no_regular_expression_reads_a_sentence_back_into_a_key(module: str) -> None:
    path = dict(MODULES)[module]
    assert not {"re", "regex"} & _imports(path, module), (
        f"{module} imports a regular expression module: the engine's messages are keys and "
        "values (entrepot.messages), never sentences parsed back"
    )


def test_the_app_is_the_one_container() -> None:
    """The fraud area holds its own services only: the shared parts (store, catalog,
    registry, accounts, licences, admin, job system) are the App's, reached there, so no
    second container hands them out (issue 23 item 5), and the web entrypoints hold the
    App itself (``app.state.entrepot``), never a second object of services."""
    import dataclasses
    import typing

    from entrepot.bootstrap import fraud

    hints = typing.get_type_hints(fraud.FraudServices)
    shared = {"Store", "UnitOfWorkFactory", "Registry", "AccountService", "LicenceService"}
    shared |= {"AdminService", "JobSystem", "JobService", "JobQueue", "JobRunner"}
    held = {
        f.name: getattr(hints[f.name], "__name__", str(hints[f.name]))
        for f in dataclasses.fields(fraud.FraudServices)
    }
    assert not {name for name, kind in held.items() if kind in shared}, held
    for path in (SRC / "http", SRC / "api", SRC / "web", SRC / "dashboard"):
        for module in path.rglob("*.py"):
            assert "state.services" not in module.read_text(encoding="utf-8"), module
    assert "state.services" not in (SRC / "asgi.py").read_text(encoding="utf-8")


#: The longest a module under ``src/`` may be (the house style: small modules, one concept
#: each).
MAX_MODULE_LINES = 400
#: The modules still longer, each with why. The list only shrinks: a test fails on a module
#: over the limit that is not listed, and on an entry no longer over it.
LONG_MODULES: dict[str, str] = {}


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_is_over_the_line_limit_unless_listed() -> None:
    long = {module: _lines(path) for module, path in MODULES if _lines(path) > MAX_MODULE_LINES}
    unlisted = {module: lines for module, lines in long.items() if module not in LONG_MODULES}
    assert unlisted == {}, (
        f"modules over {MAX_MODULE_LINES} lines: {unlisted}; split them by concept"
    )


def test_the_long_module_list_holds_no_stale_entry() -> None:
    known = dict(MODULES)
    stale = sorted(
        module
        for module in LONG_MODULES
        if module not in known or _lines(known[module]) <= MAX_MODULE_LINES
    )
    assert stale == [], f"remove {stale} from LONG_MODULES"
