"""Hold the import rules of the house style (docs/style.md) by walking the source.

Each rule is one test over the whole tree: every module under ``src/`` is read and parsed
once (:func:`_source`), and a failing rule lists every offender with its file and line."""

from __future__ import annotations

import ast
import functools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "entrepot"

#: Layers point inward: a module may import its own layer or an inner one.
RANKS = {
    "": 0,
    "errors": 0,
    "sizes": 0,
    "compression": 0,
    "encodings": 0,
    "local_paths": 0,
    "i18n": 0,
    "messages": 0,
    "masking": 0,
    "background": 0,
    "pools": 0,
    "interrupts": 0,
    "outbound": 0,
    "temp_names": 0,
    "freed_memory": 0,
    "spilled_rows": 0,
    "routed_rows": 0,
    "spilled_parts": 0,
    "column_on_disk": 0,
    "closed_on_exit": 0,
    "storage": 1,
    "settings": 1,
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
    "refusals": 6,
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
    "entrepot.bootstrap.areas",
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
    # Dask: the engine beyond one machine, opened by the composition root (ADR 0086).
    "dask": {"entrepot.bootstrap.cluster"},
    "distributed": {"entrepot.bootstrap.cluster"},
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


@dataclass(frozen=True)
class Module:
    """One module of ``src/``, read and parsed once for every rule."""

    name: str
    path: Path
    text: str
    tree: ast.Module
    #: Each name the module imports (``a.b`` and ``a.b.c`` for ``from a.b import c``) and the
    #: line of its first import statement.
    imports: dict[str, int]

    @property
    def where(self) -> str:
        return str(self.path.relative_to(SRC.parents[1]))

    def at(self, line: int) -> str:
        """``src/entrepot/x.py:12``: where an offender is."""
        return f"{self.where}:{line}"

    def lines_with(self, needle: str) -> list[int]:
        return [n for n, text in enumerate(self.text.splitlines(), 1) if needle in text]


def _imports(tree: ast.Module, path: Path, module: str) -> dict[str, int]:
    names: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
                parts = package.split(".")
                prefix = ".".join(parts[: len(parts) - (node.level - 1)])
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            found = [target, *(f"{target}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in found:
            names[name] = min(names.get(name, node.lineno), node.lineno)
    return names


def _read(path: Path, name: str) -> Module:
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    return Module(name, path, text, tree, _imports(tree, path, name))


@functools.cache
def _source() -> tuple[Module, ...]:
    """Every module under ``src/entrepot``, parsed once per test process."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append(_read(path, ".".join(parts)))
    return tuple(found)


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "entrepot":
        return None
    return parts[1] if len(parts) > 1 else ""


def _names() -> set[str]:
    return {m.name for m in _source()}


def _report(offenders: list[str], why: str) -> str:
    return f"{len(offenders)} offender(s); {why}:\n  " + "\n  ".join(offenders)


def test_the_walk_finds_the_package() -> None:
    assert {"entrepot.errors", "entrepot.storage.base", "entrepot.bootstrap"} <= _names()


def test_layers_point_inward() -> None:
    offenders = []
    for m in _source():
        own = _layer(m.name)
        if own is None or own not in RANKS:
            offenders.append(f"{m.at(1)} {m.name}: add its layer to RANKS in this test")
            continue
        for target, line in sorted(m.imports.items()):
            layer = _layer(target)
            if layer is None or layer == own or layer == "":
                continue
            if layer not in RANKS:
                offenders.append(f"{m.at(line)} {m.name} imports unknown layer {target}")
            elif RANKS[layer] > RANKS[own]:
                offenders.append(f"{m.at(line)} {m.name} ({own}) imports outer layer {target}")
            elif own in APPS and layer in APPS:
                offenders.append(f"{m.at(line)} app {m.name} imports another app {target}")
    assert offenders == [], _report(offenders, "a module imports its own layer or an inner one")


def test_the_web_entrypoints_never_import_one_another() -> None:
    offenders = [
        f"{m.at(line)} {m.name} imports {target}"
        for m in _source()
        if (own := _layer(m.name)) in WEB_ENTRYPOINTS
        for target, line in sorted(m.imports.items())
        if (layer := _layer(target)) != own and layer in WEB_ENTRYPOINTS
    ]
    assert offenders == [], _report(
        offenders,
        "shared HTTP code goes in entrepot.http, and only entrepot.asgi puts the API, the "
        "pages and the dashboard together",
    )


ROUTE_PACKAGES = ("entrepot.api.routes.",)


def test_a_route_module_never_imports_another_route_module() -> None:
    offenders = [
        f"{m.at(line)} {m.name} imports {target}"
        for m in _source()
        if (own := next((p for p in ROUTE_PACKAGES if m.name.startswith(p)), None)) is not None
        for target, line in sorted(m.imports.items())
        if target.startswith(own)
    ]
    assert offenders == [], _report(
        offenders, "what two routes share lives in entrepot.http (or in a service), not in one"
    )


def test_nothing_imports_the_assembled_app_but_the_serve_command() -> None:
    offenders = [
        f"{m.at(m.imports['entrepot.asgi'])} {m.name}"
        for m in _source()
        if m.name not in ("entrepot.asgi", "entrepot.cli.serve") and "entrepot.asgi" in m.imports
    ]
    assert offenders == [], _report(offenders, "only cli/serve.py imports entrepot.asgi")


def test_only_the_write_protocol_adds_object_rows() -> None:
    """Objects first, then their rows with the caller's own, in one unit of work: one
    module does it (``services/write_protocol.py``), every writer calls it."""
    adders = [m for m in _source() if ".objects.add(" in m.text]
    assert [m.name for m in adders if m.name == "entrepot.services.write_protocol"] == [
        "entrepot.services.write_protocol"
    ]
    offenders = [
        m.at(line)
        for m in adders
        # the unit of work's docstring shows the repository call
        if m.name not in ("entrepot.services.write_protocol", "entrepot.catalog.uow")
        for line in m.lines_with(".objects.add(")
    ]
    assert offenders == [], _report(offenders, "call services/write_protocol.py instead")


#: The entrypoints and what assembles them: they call services, and never open a unit of
#: work or speak SQL themselves.
ENTRYPOINTS = {"cli", "api", "web", "dashboard", "http", "asgi"}


def _entrypoints() -> list[Module]:
    return [m for m in _source() if _layer(m.name) in ENTRYPOINTS]


def test_entrypoints_open_no_unit_of_work_and_write_no_sql() -> None:
    offenders = []
    for m in _entrypoints():
        offenders += [f"{m.at(n)} {m.name} opens a unit of work" for n in m.lines_with(".uow()")]
        offenders += [
            f"{m.at(line)} {m.name} imports {target}"
            for target, line in sorted(m.imports.items())
            if target.split(".")[0] == "sqlalchemy" and not target.startswith("sqlalchemy.exc")
        ]
    assert offenders == [], _report(
        offenders, "call a service method: SQL lives in catalog/, reached through a service"
    )


#: What any entrypoint may import: the composition root, the error modules, record types
#: (``*.records``), the messages services return as key and parameters for an entrypoint
#: to write in its reader's language (``*.messages``, ADR 0037), the shared HTTP plumbing,
#: the interface's languages, byte sizes, masked URLs and the outbound rule (ADR 0052: the
#: OpenID sign-in holds it on authlib's requests), the settings' groups (values, ADR 0078),
#: and its own package; ``asgi`` also the three web entrypoints it assembles.
ENTRYPOINT_CORE = {
    "bootstrap",
    "settings",
    "errors",
    "http",
    "i18n",
    "messages",
    "sizes",
    "masking",
    "outbound",
    "refusals",
    "",
}
#: What each entrypoint still reaches into beyond that (issue 23): each entry is a use case
#: still composed in the entrypoint, or a constant or view not yet moved beside its record.
#: The list only shrinks: a test fails on a new entry, and on an entry no longer used.
ENTRYPOINT_RESIDUE: dict[str, frozenset[str]] = {
    "cli": frozenset(
        {
            "asgi",
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
            "city.days",
            "city.kinds",
            "city_service.service",
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
            "city_service.service",
            "config",
            "fraud_service.options",
            "jobs.codes",
            "jobs.service",
        }
    ),
}


def _resolved(target: str) -> str | None:
    """The module a name imports (the longest module it names), or ``None``."""
    known = _names()
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def _entrypoint_reaches(m: Module) -> dict[str, int]:
    """What ``m`` (an entrypoint's) imports beyond the core allowed to every one, and the
    line that first imports it."""
    own = _layer(m.name)
    found: dict[str, int] = {}
    for name, line in m.imports.items():
        target = _resolved(name)
        layer = _layer(target) if target else None
        if target is None or layer is None or layer == own or layer in ENTRYPOINT_CORE:
            continue
        if own == "asgi" and layer in WEB_ENTRYPOINTS:
            continue
        if target.endswith(".errors") or target.rsplit(".", 1)[-1] in {"records", "messages"}:
            continue
        short = target.removeprefix("entrepot.")
        found[short] = min(found.get(short, line), line)
    return found


def test_entrypoints_import_only_the_core_and_their_listed_residue() -> None:
    offenders = []
    for m in _entrypoints():
        allowed = ENTRYPOINT_RESIDUE.get(_layer(m.name) or "", frozenset())
        offenders += [
            f"{m.at(line)} {m.name} reaches into {target}"
            for target, line in sorted(_entrypoint_reaches(m).items())
            if target not in allowed
        ]
    assert offenders == [], _report(offenders, "call a service method (bootstrap's App) instead")


def test_the_entrypoint_residue_holds_no_stale_entry() -> None:
    used: dict[str, set[str]] = {}
    for m in _entrypoints():
        used.setdefault(_layer(m.name) or "", set()).update(_entrypoint_reaches(m))
    stale = [
        f"ENTRYPOINT_RESIDUE[{package!r}]: {entry}"
        for package, allowed in sorted(ENTRYPOINT_RESIDUE.items())
        for entry in sorted(allowed - used.get(package, set()))
    ]
    assert stale == [], _report(stale, "no module reaches there any more: remove the entry")


def _import_graph() -> dict[str, set[str]]:
    """Each module and the modules it imports anywhere (at import time, in a function, or for
    type checking): a name is resolved to the longest module it names."""
    names = _names()
    graph: dict[str, set[str]] = {}
    for m in _source():
        found = set()
        for target in m.imports:
            while target and target not in names:
                target = target.rpartition(".")[0]
            # a module importing its own package's face is not an arrow back
            if target and target != m.name and not m.name.startswith(target + "."):
                found.add(target)
        graph[m.name] = found
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
    cycles = _cycles(_import_graph())
    assert cycles == [], _report([" -> ".join(c) for c in cycles], "circles of imports")


def test_the_cycle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


def _fraud_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["entrepot", "fraud"] else None


def _in_fraud(module: str) -> bool:
    return module == "entrepot.fraud" or module.startswith("entrepot.fraud.")


def test_fraud_packages_stack_without_cycles() -> None:
    offenders = []
    for m in _source():
        own = _fraud_package(m.name) if _in_fraud(m.name) else None
        if own is None:  # outside fraud, or the package itself
            continue
        if own not in FRAUD_RANKS:
            offenders.append(f"{m.at(1)} {m.name}: a fraud module outside the concept packages")
            continue
        for target, line in sorted(m.imports.items()):
            package = _fraud_package(target)
            if package is None or package == own:
                continue
            if package not in FRAUD_RANKS:
                offenders.append(
                    f"{m.at(line)} {m.name} imports {target}, outside the concept packages"
                )
            elif FRAUD_RANKS[package] > FRAUD_RANKS[own]:
                offenders.append(
                    f"{m.at(line)} {m.name} ({own}) imports {target} ({package}): the fraud "
                    "packages point back up"
                )
    assert offenders == [], _report(offenders, "see FRAUD_RANKS")


def test_fraud_keeps_a_handful_of_top_level_modules() -> None:
    top = {m.name for m in _source() if _in_fraud(m.name) and m.path.parent == SRC / "fraud"}
    assert top <= FRAUD_TOP, f"move {sorted(top - FRAUD_TOP)} into a concept package"


def test_only_the_composition_root_picks_backends() -> None:
    offenders = list(
        dict.fromkeys(
            [  # one line per module and store, however many of its names it imports
                f"{m.at(line)} {m.name} imports the concrete store {concrete}"
                for m in _source()
                if m.name not in MAY_PICK_BACKENDS and m.name not in CONCRETE_STORES
                for target, line in sorted(m.imports.items())
                for concrete in sorted(CONCRETE_STORES)
                if target == concrete or target.startswith(concrete + ".")
            ]
        )
    )
    assert offenders == [], _report(offenders, "take a storage Protocol instead")


def test_sdks_live_in_one_adapter() -> None:
    offenders = [
        f"{m.at(line)} {m.name} imports {root}; only {sorted(SDK_HOMES[root])} may"
        for m in _source()
        for target, line in sorted(m.imports.items())
        if (root := target.split(".")[0]) in SDK_HOMES and m.name not in SDK_HOMES[root]
    ]
    assert offenders == [], _report(offenders, "an SDK lives in one adapter")


def test_presentation_libraries_live_in_the_cli() -> None:
    offenders = [
        f"{m.at(line)} {m.name} imports {target}"
        for m in _source()
        if _layer(m.name) != "cli"
        for target, line in sorted(m.imports.items())
        if target.split(".")[0] in PRESENTATION
    ]
    assert offenders == [], _report(offenders, "terminal rendering and commands belong in cli/")


def test_commands_get_their_app_from_the_composition_root() -> None:
    """No string keys in ``ctx.meta`` and no hand-built stores or registries in ``cli/``:
    commands take the App (``cli.context.current_app``), which the composition root wires."""
    offenders = []
    for m in _source():
        if _layer(m.name) != "cli":
            continue
        offenders += [
            f"{m.at(n)} {m.name} passes state through ctx.meta" for n in m.lines_with("ctx.meta")
        ]
        if "entrepot.storage.url" in m.imports:
            line = m.imports["entrepot.storage.url"]
            offenders.append(f"{m.at(line)} {m.name} opens stores itself; use App.open_store")
    assert offenders == [], _report(offenders, "take the App from cli.context.current_app")


def test_storage_never_reads_settings_and_catalog_never_imports_storage() -> None:
    offenders = []
    for m in _source():
        layer = _layer(m.name)
        forbidden = {"storage": "entrepot.config", "catalog": "entrepot.storage"}.get(layer or "")
        if forbidden is None:
            continue
        offenders += [
            f"{m.at(line)} {m.name} ({layer}) imports {target}"
            for target, line in sorted(m.imports.items())
            if target.startswith(forbidden)
        ]
    assert offenders == [], _report(
        offenders, "storage receives typed options; catalog never reaches the store"
    )


#: Modules outside ``catalog/`` that open connections themselves, each with why: the one
#: that reaches no catalog but a database of its own.
OWN_DATABASES = {
    # The city metrics store's SQL adapter (``ENTREPOT_METRICS_URL``), beside MongoDB and
    # DynamoDB; it may point at a database other than the catalog's.
    "entrepot.city.metrics.sql",
}
#: How a module opens a connection on an engine it holds (with SQLAlchemy imported), and
#: how a unit of work's session or connection would be taken out of it.
ENGINE_OPENERS = {"connect", "begin"}
UNIT_OPENERS = {"session", "connection"}


def _opens_the_database(m: Module) -> list[str]:
    """Where ``m`` opens a SQLAlchemy session or connection itself: the ORM imported, an
    engine's ``connect()``/``begin()`` called, or a unit of work's ``session()`` or
    ``connection()`` taken."""
    found = [
        f"{m.at(line)} {m.name} imports {target}"
        for target, line in sorted(m.imports.items())
        if target == "sqlalchemy.orm" or target.startswith("sqlalchemy.orm.")
    ]
    uses_sqlalchemy = any(target.split(".")[0] == "sqlalchemy" for target in m.imports)
    for node in ast.walk(m.tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        if (name in UNIT_OPENERS and not node.args) or (name in ENGINE_OPENERS and uses_sqlalchemy):
            found.append(f"{m.at(node.lineno)} {m.name} calls {ast.unparse(node.func)}()")
    return found


def test_only_the_catalog_opens_a_session_or_a_connection() -> None:
    """One way to the database (ADR 0079): the unit of work's repositories, or the
    read-only unit of work's for the hot reads; no module outside ``catalog/`` holds a
    session or a connection of its own."""
    offenders = []
    for m in _source():
        if _layer(m.name) != "catalog" and m.name not in OWN_DATABASES:
            offenders += _opens_the_database(m)
    assert offenders == [], _report(
        offenders,
        "reach the catalog through a repository of the unit of work (catalog/uow.py) or of "
        "the read-only one (catalog/reads.py)",
    )


def test_the_database_rule_finds_an_opener() -> None:
    text = (
        "from sqlalchemy.orm import Session\n"
        "from sqlalchemy import Engine\n"
        "def read(engine: Engine, uow: object) -> None:\n"
        "    with engine.connect() as connection, uow.session() as session:\n"
        "        pass\n"
    )
    path = SRC / "services" / "opener.py"  # never written: the module is parsed from text
    tree = ast.parse(text)
    module = Module("entrepot.services.opener", path, text, tree, _imports(tree, path, "x"))
    assert [line.split(" ", 2)[2] for line in _opens_the_database(module)] == [
        "imports sqlalchemy.orm",
        "imports sqlalchemy.orm.Session",
        "calls engine.connect()",
        "calls uow.session()",
    ]


def test_the_own_database_list_holds_no_stale_entry() -> None:
    for name in OWN_DATABASES:
        found = [m for m in _source() if m.name == name]
        assert found and _opens_the_database(found[0]), f"{name} opens nothing: unlist it"


def _import_time_calls(m: Module) -> list[tuple[str, int]]:
    """The calls of :data:`IMPORT_TIME_CALLS` in the module's top-level statements (not in
    the functions or classes it defines)."""
    found = []
    for node in m.tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                func = sub.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in IMPORT_TIME_CALLS:
                    found.append((name, sub.lineno))
    return found


def test_no_work_at_import_time() -> None:
    offenders = [
        f"{m.at(line)} {m.name} calls {name}() at import time"
        for m in _source()
        for name, line in _import_time_calls(m)
    ]
    assert offenders == [], _report(offenders, "build it on first use, in a function")


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


def _sentence_nodes(m: Module) -> list[ast.Constant]:
    """The regular expressions of a module that imports ``re`` and that spell a word (two
    letters or more), wherever they are written (a call, a table of patterns): a pattern
    that reads a sentence back, which the dashboard must never hold (ADR 0037)."""
    import re

    if "re" not in m.imports:
        return []
    found = []
    for node in ast.walk(m.tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            words = re.sub(_PATTERN_NOISE, " ", text)
            if re.search(_REGEX_SYNTAX, text) and re.search(r"[^\W\d_]{2,}", words):
                found.append(node)
    return found


def sentence_patterns(path: Path) -> list[str]:
    """The sentence-reading patterns of the module at ``path`` (see :func:`_sentence_nodes`)."""
    return [str(node.value) for node in _sentence_nodes(_read(path, "entrepot"))]


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


def test_the_dashboard_parses_no_sentence() -> None:
    """The city documents store keys and codes: no pattern turns their text into a key."""
    offenders = [
        f"{m.at(node.lineno)} {m.name}: {node.value!r}"
        for m in _source()
        if m.name.startswith("entrepot.dashboard")
        for node in _sentence_nodes(m)
    ]
    assert offenders == [], _report(offenders, "the dashboard reads sentences back")


#: Where a message becomes words: none reads a sentence back into a key (ADR 0036).
MESSAGE_WRITERS = ("entrepot.messages", "entrepot.i18n.messages", "entrepot.web.phrases")


def test_no_regular_expression_reads_a_sentence_back_into_a_key() -> None:
    modules = {m.name: m for m in _source()}
    assert set(MESSAGE_WRITERS) <= set(modules), "a message writer moved: update MESSAGE_WRITERS"
    offenders = [
        f"{m.at(line)} {m.name} imports {target}"
        for m in (modules[name] for name in MESSAGE_WRITERS)
        for target, line in sorted(m.imports.items())
        if target in {"re", "regex"}
    ]
    assert offenders == [], _report(
        offenders,
        "the engine's messages are keys and values (entrepot.messages), never sentences "
        "parsed back",
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
    offenders = [
        f"{m.at(n)} {m.name}"
        for m in _source()
        if _layer(m.name) in {"http", "api", "web", "dashboard", "asgi"}
        for n in m.lines_with("state.services")
    ]
    assert offenders == [], _report(offenders, "hold the App (app.state.entrepot)")


#: The longest a module under ``src/`` may be (the house style: small modules, one concept
#: each).
MAX_MODULE_LINES = 400
#: The modules still longer, each with why. The list only shrinks: a test fails on a module
#: over the limit that is not listed, and on an entry no longer over it.
LONG_MODULES: dict[str, str] = {}


def _lines(m: Module) -> int:
    return len(m.text.splitlines())


def test_no_module_is_over_the_line_limit_unless_listed() -> None:
    offenders = [
        f"{m.where}:{_lines(m)} {m.name} has {_lines(m)} lines"
        for m in _source()
        if _lines(m) > MAX_MODULE_LINES and m.name not in LONG_MODULES
    ]
    assert offenders == [], _report(
        offenders, f"modules over {MAX_MODULE_LINES} lines: split them by concept"
    )


def test_the_long_module_list_holds_no_stale_entry() -> None:
    known = {m.name: m for m in _source()}
    stale = sorted(
        module
        for module in LONG_MODULES
        if module not in known or _lines(known[module]) <= MAX_MODULE_LINES
    )
    assert stale == [], f"remove {stale} from LONG_MODULES"
