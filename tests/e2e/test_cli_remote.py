"""The command line on a deployed service (issue 27, item 7): a real ``entrepot serve`` on
127.0.0.1, an account and its token made by the product, and the installed ``entrepot``
run with ENTREPOT_URL/ENTREPOT_TOKEN or after ``entrepot login``: the user's commands print
what the same commands print on the instance itself, with the same exit codes."""

from __future__ import annotations

import hashlib
import json
import re
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest

from entrepot.fraud.synth.generator import generate
from tests.support.cli import ENTRY_POINT
from tests.support.network import free_port
from tests.support.processes import Server, api_token, instance_env

EMAIL = "remote@example.org"
#: What the test pushes into the account: model name -> the versions, in order.
PUSHED = {"alpha": ("v1", "v2"), "beta": ("v1",), "delta": ("v1",)}


class Instance:
    """A served instance, the folder it runs in, and its account's token."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = instance_env(folder)
        self.env["COLUMNS"] = "200"
        self.token = api_token(self.env, folder, EMAIL)["Authorization"].removeprefix("Bearer ")
        self.files: dict[str, Path] = {}
        for name, versions in PUSHED.items():
            for version in versions:
                model = folder / f"{name}-{version}"
                model.mkdir()
                (model / "weights.bin").write_bytes(f"{name} {version} ".encode() * 5000)
                (model / "notes.txt").write_text(f"{name}@{version}\n")
                self.files[f"{name}@{version}"] = model
                pushed = self.local(
                    "models", "--user", EMAIL, "push", str(model), "--name", name,
                    "--version", version, "--metric", "auc=0.75",
                )  # fmt: skip
                assert pushed.returncode == 0, pushed.stderr
        self.server = Server(self.env, folder)

    def _run(
        self, env: dict[str, str], cwd: Path, *args: str, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*ENTRY_POINT, *args],
            env=env,
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def local(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``entrepot ARGS`` on the instance's own folder (local access)."""
        return self._run(self.env, self.folder, *args)

    def laptop(self, home: Path, **variables: str) -> dict[str, str]:
        """The environment of a laptop: no instance settings, its own config folder."""
        env = {k: v for k, v in self.env.items() if not k.startswith("ENTREPOT_")}
        env["XDG_CONFIG_HOME"] = str(home / "config")
        env.update(variables)
        return env

    def remote(
        self, home: Path, *args: str, stdin: str | None = None, **variables: str
    ) -> subprocess.CompletedProcess[str]:
        """``entrepot ARGS`` from a laptop folder ``home`` (created), with ``variables``."""
        home.mkdir(exist_ok=True)
        return self._run(self.laptop(home, **variables), home, *args, stdin=stdin)

    def by_env(self, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return self.remote(home, *args, ENTREPOT_URL=self.server.url, ENTREPOT_TOKEN=self.token)


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    served = Instance(tmp_path_factory.mktemp("instance"))
    try:
        yield served
    finally:
        served.server.stop()


def _same(
    remote: subprocess.CompletedProcess[str], local: subprocess.CompletedProcess[str]
) -> None:
    assert local.returncode == 0, local.stderr
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout


def test_models_ls_prints_what_the_instance_prints(instance: Instance, tmp_path: Path) -> None:
    _same(
        instance.by_env(tmp_path, "models", "ls"), instance.local("models", "--user", EMAIL, "ls")
    )
    remote = instance.by_env(tmp_path, "models", "ls", "--json")
    _same(remote, instance.local("models", "--user", EMAIL, "ls", "--json"))
    listed = {row["name"]: (row["versions"], row["latest"]) for row in json.loads(remote.stdout)}
    assert listed == {name: (len(v), v[-1]) for name, v in PUSHED.items()}


@pytest.mark.parametrize("ref", ["alpha", "alpha@v1", "beta@latest"])
def test_models_show_prints_what_the_instance_prints(
    instance: Instance, tmp_path: Path, ref: str
) -> None:
    for flags in ((), ("--json",)):
        remote = instance.by_env(tmp_path, "models", "show", ref, *flags)
        _same(remote, instance.local("models", "--user", EMAIL, "show", ref, *flags))


def test_models_pull_writes_the_pushed_bytes_verified(instance: Instance, tmp_path: Path) -> None:
    pulled = instance.by_env(tmp_path, "models", "pull", "alpha@v1", "out")
    assert pulled.returncode == 0, pulled.stderr
    local = instance.local("models", "--user", EMAIL, "pull", "alpha@v1", str(tmp_path / "here"))
    assert local.returncode == 0, local.stderr
    assert pulled.stdout.replace("out", "X") == local.stdout.replace(str(tmp_path / "here"), "X")
    source = instance.files["alpha@v1"]
    for name in ("weights.bin", "notes.txt"):
        got = hashlib.sha256((tmp_path / "out" / name).read_bytes()).hexdigest()
        assert got == hashlib.sha256((source / name).read_bytes()).hexdigest()
    manifest = (tmp_path / "out" / "manifest.json").read_bytes()
    assert manifest == (tmp_path / "here" / "manifest.json").read_bytes()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "manifest.json",
        "notes.txt",
        "weights.bin",
    ]
    assert not (tmp_path / "var").exists(), "a remote command creates no instance here"


def test_login_keeps_the_token_0600_and_commands_follow_it(
    instance: Instance, tmp_path: Path
) -> None:
    url = instance.server.url
    logged = instance.remote(
        tmp_path, "login", url + "/", "--token-stdin", stdin=instance.token + "\n"
    )
    assert logged.returncode == 0, logged.stderr
    assert EMAIL in logged.stdout
    kept = tmp_path / "config" / "entrepot" / "login.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert json.loads(kept.read_text()) == {"url": url, "token": instance.token}
    _same(
        instance.remote(tmp_path, "models", "ls"), instance.local("models", "--user", EMAIL, "ls")
    )
    who = instance.remote(tmp_path, "whoami", "--json")
    assert who.returncode == 0, who.stderr
    assert json.loads(who.stdout)["user"]["email"] == EMAIL
    assert json.loads(who.stdout)["url"] == url
    out = instance.remote(tmp_path, "logout")
    assert out.returncode == 0 and not kept.exists()
    assert "not logged in" in instance.remote(tmp_path, "whoami").stdout


def test_a_bad_token_is_refused_with_77_and_nothing_is_kept(
    instance: Instance, tmp_path: Path
) -> None:
    refused = instance.remote(
        tmp_path, "models", "ls", ENTREPOT_URL=instance.server.url, ENTREPOT_TOKEN="not-a-token"
    )
    assert refused.returncode == 77, refused.stderr
    assert "token" in refused.stderr and "Traceback" not in refused.stderr
    login = instance.remote(tmp_path, "login", instance.server.url, "--token-stdin", stdin="nope\n")
    assert login.returncode == 77, login.stderr
    assert not (tmp_path / "config" / "entrepot" / "login.json").exists()


def test_an_unknown_model_exits_66_as_it_does_locally(instance: Instance, tmp_path: Path) -> None:
    for args in (("show", "gamma"), ("pull", "alpha@v9", "out")):
        remote = instance.by_env(tmp_path, "models", *args)
        local = instance.local("models", "--user", EMAIL, *args)
        assert remote.returncode == local.returncode == 66, (remote.stderr, local.stderr)
        assert "Traceback" not in remote.stderr
    assert not (tmp_path / "out").exists()


def test_an_unreachable_service_exits_69_naming_its_url(instance: Instance, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    failed = instance.remote(tmp_path, "models", "ls", ENTREPOT_URL=url, ENTREPOT_TOKEN="t")
    assert failed.returncode == 69, failed.stderr
    assert url in failed.stderr and "Traceback" not in failed.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("db", "upgrade"),
        ("gc",),
        ("users", "list"),
        ("city", "status"),
        ("ls",),
        ("models", "resign", "m@v1", "--yes"),
        ("models", "import-tree", "tree", "--trust", "--yes"),
    ],
)
def test_operator_commands_say_they_need_local_access(
    instance: Instance, tmp_path: Path, args: tuple[str, ...]
) -> None:
    refused = instance.by_env(tmp_path, *args)
    assert refused.returncode == 2, refused.stderr
    assert "needs local access" in refused.stderr and instance.server.url in refused.stderr
    assert list(tmp_path.iterdir()) == []  # no instance made in the laptop's folder


def test_datasets_and_predictions_list_the_accounts_own(instance: Instance, tmp_path: Path) -> None:
    headers = {"Authorization": f"Bearer {instance.token}"}
    body = "amount,merchant,is_fraud\n" + "".join(
        f"{i},m{i % 7},{int(i % 10 == 0)}\n" for i in range(60)
    )
    uploaded = httpx.post(
        instance.server.url + "/api/upload",
        headers=headers,
        files={"file": ("cards.csv", body.encode(), "text/csv")},
        timeout=60,
    )
    assert uploaded.status_code == 201, uploaded.text
    listed = instance.by_env(tmp_path, "datasets", "ls", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["id"], r["name"], r["rows"]) for r in rows] == [
        (uploaded.json()["dataset_id"], "cards.csv", 60)
    ]
    table = instance.by_env(tmp_path, "datasets", "ls")
    assert "cards.csv" in table.stdout and "1 dataset" in table.stdout
    predictions = instance.by_env(tmp_path, "predictions", "ls", "--json")
    assert predictions.returncode == 0 and json.loads(predictions.stdout) == []


def test_another_accounts_manifest_is_not_found(instance: Instance) -> None:
    mine = {"Authorization": f"Bearer {instance.token}"}
    models = httpx.get(instance.server.url + "/api/models", headers=mine, timeout=30).json()
    other = api_token(instance.env, instance.folder, "other@example.org")
    for model in models:
        path = f"/api/models/{model['id']}/manifest"
        assert httpx.get(instance.server.url + path, headers=mine, timeout=30).status_code == 200
        assert httpx.get(instance.server.url + path, headers=other, timeout=30).status_code == 404


def _cards(path: Path, rows: int, seed: int) -> pd.DataFrame:
    data = generate("card_payments", rows, fraud_rate=0.08, seed=seed, variety=False)
    data.frame.to_csv(path, index=False)
    return data.frame


#: The account the fraud commands work as (the first one's plan is full of models).
ANALYST = "analyst@example.org"


class Laptop:
    """A laptop folder working on the instance as :data:`ANALYST`."""

    def __init__(self, instance: Instance, home: Path) -> None:
        self.instance = instance
        self.home = home
        headers = api_token(instance.env, instance.folder, ANALYST)
        self.token = headers["Authorization"].removeprefix("Bearer ")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.instance.remote(
            self.home, *args, ENTREPOT_URL=self.instance.server.url, ENTREPOT_TOKEN=self.token
        )


@pytest.fixture(scope="module")
def laptop(instance: Instance, tmp_path_factory: pytest.TempPathFactory) -> Laptop:
    """A laptop after `entrepot fraud train` there, through the service."""
    laptop = Laptop(instance, tmp_path_factory.mktemp("laptop"))
    _cards(laptop.home / "history.csv", 1500, 1)
    done = laptop.run("fraud", "train", "history.csv", "--name", "cards")
    assert done.returncode == 0, done.stderr
    (laptop.home / "train.out").write_text(done.stdout)
    return laptop


def test_fraud_train_registers_the_model_in_the_account(
    instance: Instance, laptop: Laptop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from entrepot.cli.value_words import metric_name

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")  # the metrics' names as the laptop printed them
    printed = (laptop.home / "train.out").read_text()
    ls = laptop.run("models", "ls", "--json")
    (version,) = [row["latest"] for row in json.loads(ls.stdout) if row["name"] == "cards"]
    assert f"registered cards@{version} in {ANALYST}'s models" in printed
    assert "--user" not in printed  # the hint is the remote command
    headers = {"Authorization": f"Bearer {laptop.token}"}
    jobs = httpx.get(instance.server.url + "/api/history", headers=headers, timeout=30).json()
    (job,) = [j for j in jobs["items"] if j["kind"] == "train"]
    for key, value in job["result"]["metrics"].items():  # a count as an integer (issue 44)
        shown = str(value) if isinstance(value, int) else f"{float(value):.4f}"
        named = re.escape(metric_name(key, of_training=True))  # as the model page names it
        assert re.search(rf"│ {named}\s+│ {shown}\s+│", printed), key
    assert isinstance(job["result"]["metrics"]["labelled_rows"], int)  # never 1500.0
    assert (laptop.home / "history.csv").exists() and not (laptop.home / "var").exists()


def test_fraud_score_prints_and_writes_what_the_instance_does(
    instance: Instance, laptop: Laptop
) -> None:
    fresh = _cards(laptop.home / "fresh.csv", 400, 2)
    remote = laptop.run("fraud", "score", "fresh.csv", "out.csv", "--model", "cards")
    local_out = instance.folder / "local-scores.csv"
    local = instance.local(
        "fraud", "score", str(laptop.home / "fresh.csv"), str(local_out), "--model", "cards",
        "--user", ANALYST,
    )  # fmt: skip
    assert remote.returncode == 0, remote.stderr
    assert local.returncode == 0, local.stderr
    assert remote.stdout.replace("wrote out.csv", "wrote X") == local.stdout.replace(
        f"wrote {local_out}", "wrote X"
    )
    assert (laptop.home / "out.csv").read_bytes() == local_out.read_bytes()
    # the figures printed, against pandas on the written scores
    scores = pd.read_csv(laptop.home / "out.csv")
    flagged = int((scores["prediction"] == 1).sum())
    counts = scores["risk_level"].value_counts()
    assert f"400 rows scored: {flagged} predicted fraudulent ({flagged / 400:.2%})" in remote.stdout
    for level, count in counts.items():
        assert f"{level} {count}" in remote.stdout
    truth = fresh["is_fraud"].to_numpy() == 1
    hits = int(((scores["prediction"] == 1).to_numpy() & truth).sum())
    if flagged:
        assert f"realised {hits / flagged:.2%} on 400 rows" in remote.stdout
    assert [p.name for p in laptop.home.iterdir() if p.name.startswith(".")] == []


def test_fraud_score_json_has_the_local_keys(instance: Instance, laptop: Laptop) -> None:
    _cards(laptop.home / "fresh2.csv", 300, 3)
    ls = json.loads(laptop.run("models", "ls", "--json").stdout)
    (version,) = [row["latest"] for row in ls if row["name"] == "cards"]
    remote = laptop.run(
        "fraud", "score", "fresh2.csv", "out2.csv", "--model", f"cards@{version}", "--json"
    )
    local = instance.local(
        "fraud", "score", str(laptop.home / "fresh2.csv"), str(instance.folder / "l2.csv"),
        "--model", f"cards@{version}", "--user", ANALYST, "--json",
    )  # fmt: skip
    assert remote.returncode == 0, remote.stderr
    assert local.returncode == 0, local.stderr
    mine, theirs = json.loads(remote.stdout), json.loads(local.stdout)
    assert set(mine) - set(theirs) == {"prediction_id"} and set(theirs) <= set(mine)
    assert mine["threshold"] == pytest.approx(theirs["threshold"], abs=1e-6)
    for key in ("rows", "flagged", "saved_ensemble", "estimate", "known_labels", "trust"):
        assert mine[key] == theirs[key], key
    listed = laptop.run("predictions", "ls", "--json")
    assert mine["prediction_id"] in {p["id"] for p in json.loads(listed.stdout)}


def test_fraud_score_fails_as_the_instance_does(instance: Instance, laptop: Laptop) -> None:
    (laptop.home / "broken.csv").write_bytes(b"\x00\x01 not a table \xff" * 50)
    cases = {
        "a file that is not a table": ("broken.csv", "cards"),
        "an unknown model": ("history.csv", "nope"),
        "a missing file": ("absent.csv", "cards"),
    }
    for what, (file, model) in cases.items():
        remote = laptop.run("fraud", "score", file, "x.csv", "--model", model)
        local = instance.local(
            "fraud", "score", str(laptop.home / file), str(instance.folder / "x.csv"),
            "--model", model, "--user", ANALYST,
        )  # fmt: skip
        assert remote.returncode == local.returncode != 0, (what, remote.stderr, local.stderr)
        assert "Traceback" not in remote.stderr and "error:" in remote.stderr, what
        assert not (laptop.home / "x.csv").exists(), what
    url = f"http://127.0.0.1:{free_port()}"
    away = instance.remote(
        laptop.home, "fraud", "score", "history.csv", "x.csv", "--model", "cards",
        ENTREPOT_URL=url, ENTREPOT_TOKEN="t",
    )  # fmt: skip
    assert away.returncode == 69 and url in away.stderr


def test_fraud_train_fails_as_the_instance_does(instance: Instance, laptop: Laptop) -> None:
    (laptop.home / "unlabelled.csv").write_text(
        "amount,merchant\n" + "".join(f"{i},m{i % 5}\n" for i in range(80))
    )
    remote = laptop.run("fraud", "train", "unlabelled.csv", "--name", "x")
    local = instance.local(
        "fraud", "train", str(laptop.home / "unlabelled.csv"), "--name", "x", "--user", ANALYST
    )
    assert remote.returncode == local.returncode != 0, (remote.stderr, local.stderr)
    assert "Traceback" not in remote.stderr
    budget = laptop.run("fraud", "train", "history.csv", "--name", "x",
                             "--time-budget", "5")  # fmt: skip
    assert budget.returncode == 2 and "--time-budget" in budget.stderr


def _sha_free(text: str) -> str:
    """``text`` with each sha256 replaced (a manifest's names its author and time)."""
    return re.sub(r"\b[0-9a-f]{64}\b", "SHA", text)


def test_models_push_prints_what_the_instance_prints(instance: Instance, laptop: Laptop) -> None:
    folder = laptop.home / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"remote weights " * 4000)
    (folder / "notes.txt").write_text("pushed from a laptop\n")
    # "alpha" is also the first account's model: a push goes to the caller's own models
    remote = laptop.run("models", "push", "model", "--name", "alpha", "--version", "v1",
                        "--metric", "auc=0.5")  # fmt: skip
    local = instance.local(  # the shared models: the account's plan has room for one more
        "models", "push", str(folder), "--name", "alpha-here", "--version", "v1",
        "--metric", "auc=0.5",
    )  # fmt: skip
    assert remote.returncode == local.returncode == 0, (remote.stderr, local.stderr)
    assert _sha_free(remote.stdout).replace("alpha@", "X@") == _sha_free(local.stdout).replace(
        "alpha-here@", "X@"
    )
    assert "pushed alpha@v1 (raw, signed, manifest sha256" in remote.stdout
    # the service's copy is the laptop's bytes, and the first account's alpha is untouched
    pulled = laptop.run("models", "pull", "alpha@v1", "back")
    assert pulled.returncode == 0, pulled.stderr
    for name in ("weights.bin", "notes.txt"):
        assert (laptop.home / "back" / name).read_bytes() == (folder / name).read_bytes()
    theirs = instance.local("models", "--user", EMAIL, "ls", "--json")
    assert {r["name"]: r["versions"] for r in json.loads(theirs.stdout)}["alpha"] == 2
    shown = json.loads(laptop.run("models", "show", "alpha@v1", "--json").stdout)
    assert shown["metrics"] == {"auc": 0.5}


def test_models_push_json_has_the_local_keys(instance: Instance, laptop: Laptop) -> None:
    folder = laptop.home / "model-json"
    folder.mkdir()
    (folder / "w.bin").write_bytes(b"json " * 100)
    remote = laptop.run("models", "push", "model-json", "--name", "beta", "--json")
    assert remote.returncode == 0, remote.stderr
    mine = json.loads(remote.stdout)
    local = instance.local("models", "push", str(folder), "--name", "shared-beta", "--json")
    assert local.returncode == 0, local.stderr
    theirs = json.loads(local.stdout)
    assert set(mine) == set(theirs) == {"name", "version", "flavor", "signed", "manifest_sha256"}
    assert (mine["name"], mine["flavor"], mine["signed"]) == ("beta", "raw", True)
    listed = json.loads(laptop.run("models", "ls", "--json").stdout)
    assert {r["name"]: r["latest"] for r in listed}["beta"] == mine["version"]


def test_models_push_is_refused_with_a_message_and_stores_nothing(
    instance: Instance, laptop: Laptop, tmp_path: Path
) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "w.bin").write_bytes(b"w" * 10)
    # the first account's trial plan is full (3 models): a new name is the service's quota, exit 77
    full = instance.by_env(tmp_path, "models", "push", "m", "--name", "gamma")
    assert full.returncode == 77, full.stderr
    assert "allows 3 models" in full.stderr and "Traceback" not in full.stderr
    # a read-only token may not push
    read = subprocess.run(
        [*ENTRY_POINT, "users", "token", ANALYST, "--scope", "read"],
        env=instance.env, cwd=instance.folder, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert read.returncode == 0, read.stderr
    refused = instance.remote(
        tmp_path, "models", "push", "m", "--name", "gamma",
        ENTREPOT_URL=instance.server.url, ENTREPOT_TOKEN=read.stdout.strip(),
    )  # fmt: skip
    assert refused.returncode == 77, refused.stderr
    assert "scope" in refused.stderr and "Traceback" not in refused.stderr
    # the local checks: a bad name, a missing folder, as locally (before any upload)
    for args in (("m", "--name", "../x"), ("absent", "--name", "gamma")):
        remote = instance.by_env(tmp_path, "models", "push", *args)
        local = instance.local("models", "push", str(tmp_path / args[0]), *args[1:])
        assert remote.returncode == local.returncode != 0, (args, remote.stderr, local.stderr)
        assert "Traceback" not in remote.stderr
    for account in (EMAIL, ANALYST):
        listed = json.loads(instance.local("models", "--user", account, "ls", "--json").stdout)
        assert "gamma" not in {r["name"] for r in listed}


def test_fraud_evaluate_prints_what_the_instance_prints(instance: Instance, laptop: Laptop) -> None:
    fresh = _cards(laptop.home / "labelled.csv", 400, 4)
    remote = laptop.run("fraud", "evaluate", "labelled.csv", "--model", "cards")
    local = instance.local(
        "fraud", "evaluate", str(laptop.home / "labelled.csv"), "--model", "cards",
        "--user", ANALYST,
    )  # fmt: skip
    _same(remote, local)
    as_json = laptop.run("fraud", "evaluate", "labelled.csv", "--model", "cards", "--json")
    local_json = instance.local(
        "fraud", "evaluate", str(laptop.home / "labelled.csv"), "--model", "cards",
        "--user", ANALYST, "--json",
    )  # fmt: skip
    _same(as_json, local_json)
    found = json.loads(as_json.stdout)
    # the confusion counts, against numpy on the scores the same model writes for the file
    scored = laptop.run("fraud", "score", "labelled.csv", "labelled-scores.csv", "--model", "cards")
    assert scored.returncode == 0, scored.stderr
    flagged = pd.read_csv(laptop.home / "labelled-scores.csv")["prediction"].to_numpy() == 1
    truth = fresh["is_fraud"].to_numpy() == 1
    counts = found["metrics"]["confusion_matrix"]
    assert counts == {
        "tp": int((flagged & truth).sum()),
        "fp": int((flagged & ~truth).sum()),
        "fn": int((~flagged & truth).sum()),
        "tn": int((~flagged & ~truth).sum()),
    }
    assert found["target"] == "is_fraud"


def test_fraud_evaluate_fails_as_the_instance_does(instance: Instance, laptop: Laptop) -> None:
    (laptop.home / "no-label.csv").write_text(
        "amount,merchant\n" + "".join(f"{i},m{i % 5}\n" for i in range(80))
    )
    for file, model in (("no-label.csv", "cards"), ("history.csv", "alpha@v9")):
        remote = laptop.run("fraud", "evaluate", file, "--model", model)
        local = instance.local(
            "fraud", "evaluate", str(laptop.home / file), "--model", model, "--user", ANALYST
        )
        assert remote.returncode == local.returncode != 0, (remote.stderr, local.stderr)
        assert "Traceback" not in remote.stderr and "error:" in remote.stderr


def test_fraud_score_with_the_reference_ensemble(instance: Instance, laptop: Laptop) -> None:
    # before a library exists: the service's 503, as a message
    (laptop.home / "unlabelled-cards.csv").write_text(
        _cards(laptop.home / "tmp.csv", 300, 5).drop(columns=["is_fraud"]).to_csv(index=False)
    )
    early = laptop.run("fraud", "score", "unlabelled-cards.csv", "e.csv", "--ensemble")
    assert early.returncode == 69, early.stderr
    assert "reference library" in early.stderr and "Traceback" not in early.stderr
    built = instance.local(
        "fraud", "build-references", "--count", "1", "--rows", "3000", "--min-frauds", "100",
        "--time-budget", "1",
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    remote = laptop.run("fraud", "score", "unlabelled-cards.csv", "e.csv", "--ensemble")
    local_out = instance.folder / "ensemble-scores.csv"
    local = instance.local(
        "fraud", "score", str(laptop.home / "unlabelled-cards.csv"), str(local_out),
        "--ensemble", "--user", ANALYST,
    )  # fmt: skip
    assert remote.returncode == local.returncode == 0, (remote.stderr, local.stderr)
    assert remote.stdout.replace("wrote e.csv", "wrote X") == local.stdout.replace(
        f"wrote {local_out}", "wrote X"
    )
    assert (laptop.home / "e.csv").read_bytes() == local_out.read_bytes()
    assert not (laptop.home / "var").exists(), "a remote command creates no instance here"
    both = laptop.run("fraud", "score", "unlabelled-cards.csv", "e.csv", "--ensemble",
                      "--model", "cards")  # fmt: skip
    assert both.returncode == 2 and "--ensemble" in both.stderr


def _card_lines(printed: str) -> list[str]:
    """The metrics table and the model card a training printed, each figure masked (two
    trainings' searches differ in time and in the learner they choose, never in what they
    show)."""
    lines = printed.splitlines()
    start = next(i for i, line in enumerate(lines) if "┃ metric" in line) - 1  # the model
    # kind in the title above differs from one search to another
    end = next(i for i, line in enumerate(lines) if line.startswith("AUPRC")) + 4
    return [re.sub(r"\d+(\.\d+)?", "N", line).rstrip() for line in lines[start:end]]


def test_fraud_train_prints_the_card_a_local_training_prints(
    instance: Instance, laptop: Laptop
) -> None:
    """One renderer, fed by the same facts (issue 44, item 3): the training through the
    service, the same for an account on the instance, and one into the instance's own
    registry print the same metrics and card lines."""
    remote = (laptop.home / "train.out").read_text()
    api_token(instance.env, instance.folder, "local@example.org")
    history = str(laptop.home / "history.csv")
    for_account = instance.local(
        "fraud", "train", history, "--name", "cards", "--user", "local@example.org",
        "--time-budget", "3",
    )  # fmt: skip
    registry = instance.local("fraud", "train", history, "--name", "cards", "--time-budget", "3")
    assert for_account.returncode == 0, for_account.stderr
    assert registry.returncode == 0, registry.stderr
    card = _card_lines(remote)
    assert card == _card_lines(for_account.stdout) == _card_lines(registry.stdout)
    assert any(line.startswith("AUPRC N [N-N, N%] on the") for line in card), remote
    assert any("card precision@N per day" in line for line in card), remote
    # the figures are the job's own: its card, as the service stored it
    headers = {"Authorization": f"Bearer {laptop.token}"}
    jobs = httpx.get(instance.server.url + "/api/history", headers=headers, timeout=30).json()
    (job,) = [j for j in jobs["items"] if j["kind"] == "train"]
    headline = job["result"]["card"]["headline"]
    assert f"AUPRC {headline['value']:.3f}" in remote
    at = job["result"]["card"]["at_threshold"]
    assert f"at threshold {at['threshold']:.4f}" in remote
    for trial in job["result"]["trials"]:
        assert f"{trial['validation_auprc']:.4f}" in remote
