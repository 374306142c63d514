"""cloudsms audit verify and cloudsms lifecycle list/diagram (issue 13), run as a user runs them.

The trail of every lifecycle (S05 services, S06 complaints; ISO/IEC 20000-1:2011 4.3.3
and 4.5.4.2): a document whose chain holds exits 0 with its head; each kind of
tampering exits 1 at the right entry; a keyed trail needs its key, which never
appears in any output. A holding trail and docs/cli.md's samples run ``python -m
cloudsms`` in a fresh interpreter; the other tests call the same command in this process
(tests/_cli_run.py), its output and status alike.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from _cli_run import fresh, in_process
from cloudsms.lifecycle import HistoryEntry, advance, lifecycle_named
from cloudsms.lifecycle._chain import entry_bytes, genesis, link
from cloudsms.serialization import to_json
from cloudsms.services import (
    SERVICE_LIFECYCLE,
    CloudService,
    DeploymentModel,
    ServiceCategory,
    ServiceGraph,
)

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
REVIEW = {
    "capacity_requirement": "400 vcpu at peak",
    "availability_required": "99.9",
    "availability_designed": "99.95",
    "shared_resource_security": "tenant isolation reviewed",
    "sla": "new",
}
EVENTS = (("design", "actor:architect"), ("build", "actor:ops"), ("test", "actor:qa"))
KEY = b"Zq7-distinctive-KEY-material-!x9"
"""A key no output could hold by chance: the tests assert it never appears."""


run = in_process  # the command in this process, as python -m cloudsms runs it


def service(service_id: str = "crm", *, keyed: bool = False) -> CloudService:
    """A service taken from planned through design, build and test (four states)."""
    record = CloudService(
        id=service_id,
        name=service_id.upper(),
        category=ServiceCategory.SAAS,
        deployment_models={DeploymentModel.PUBLIC},
        owner="sales-it",
    )
    if keyed:
        instance = SERVICE_LIFECYCLE.begin(id=service_id, keyed=True)
        for day, (event, who) in enumerate(EVENTS):
            data = {"review": REVIEW} if event == "design" else None
            when = T0 + dt.timedelta(days=day)
            instance = instance.apply(event, who=who, when=when, data=data, key=KEY)
        return attrs.evolve(record, lifecycle=instance)
    for day, (event, who) in enumerate(EVENTS):
        data = {"review": REVIEW} if event == "design" else None
        record = advance(record, event, who=who, when=T0 + dt.timedelta(days=day), data=data)
    return record


def write(folder: Path, data: object, name: str = "crm.json") -> Path:
    """Write a cloudsms value (with to_json) or plain JSON data to ``folder/name``."""
    path = folder / name
    text = json.dumps(data) if isinstance(data, dict | list) else to_json(data)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def crm() -> CloudService:
    """The unkeyed service every tampering test starts from."""
    return service()


@pytest.fixture
def document(crm: CloudService) -> dict[str, Any]:
    """The service's document as JSON data, to tamper with."""
    data: dict[str, Any] = json.loads(to_json(crm))
    return data


def broken_at(result: subprocess.CompletedProcess[str], index: int, path: str) -> None:
    """The run exited 1 naming ``path`` and the entry ``index`` as the first bad one."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == ""
    assert any(
        line.startswith(f"  {path}  ") and line.endswith(f": broken at entry {index}")
        for line in result.stdout.splitlines()
    ), result.stdout
    assert f"{path}.history[{index}]: " in result.stdout


class TestHolds:
    """A document whose every trail holds exits 0 with each instance's head."""

    def test_service(self, tmp_path: Path, crm: CloudService) -> None:
        """Prints the path, lifecycle, id, entry count, chain and the head hash."""
        result = fresh("audit", "verify", str(write(tmp_path, crm)))
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert result.stdout == (
            "crm.json: every trail holds (1 lifecycle instance)\n"
            "  $.lifecycle  cloud_service 'crm', 3 entries, sha256\n"
            f"    head {crm.lifecycle.head}\n"
        )

    def test_json(self, tmp_path: Path, crm: CloudService) -> None:
        """--format json gives the same facts as data."""
        result = run("audit", "verify", str(write(tmp_path, crm)), "--format", "json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {
            "file": "crm.json",
            "valid": True,
            "trails": [
                {
                    "path": "$.lifecycle",
                    "lifecycle": "cloud_service",
                    "id": "crm",
                    "chain": "sha256",
                    "entries": 3,
                    "head": crm.lifecycle.head,
                    "broken": None,
                }
            ],
            "problems": [],
        }

    def test_expected_head_reached(self, tmp_path: Path, crm: CloudService) -> None:
        """The current head, an earlier one (the trail grew) and upper case all pass."""
        path = str(write(tmp_path, crm))
        for head in (
            crm.lifecycle.head,
            crm.lifecycle.entries[0].hash,
            crm.lifecycle.head.upper(),
        ):
            result = run("audit", "verify", path, "--expected-head", head)
            assert result.returncode == 0, result.stdout + result.stderr

    def test_bare_instance(self, tmp_path: Path, crm: CloudService) -> None:
        """A bare instance object is checked at the root path."""
        result = run("audit", "verify", str(write(tmp_path, crm.lifecycle)))
        assert result.returncode == 0, result.stderr
        assert "  $  cloud_service 'crm', 3 entries, sha256\n" in result.stdout

    def test_every_instance_of_a_graph(self, tmp_path: Path) -> None:
        """Each service of a graph nested in another object is found at its JSON path."""
        graph = ServiceGraph(services=(service("crm"), service("erp")))
        data = {"graph": json.loads(to_json(graph))}
        result = run("audit", "verify", str(write(tmp_path, data)), "--format", "json")
        assert result.returncode == 0, result.stderr
        trails = json.loads(result.stdout)["trails"]
        assert [(t["path"], t["id"]) for t in trails] == [
            ("$.graph.services[0].lifecycle", "crm"),
            ("$.graph.services[1].lifecycle", "erp"),
        ]


class TestTampering:
    """Each kind of tampering exits 1 at the first entry it breaks."""

    def test_edited_data(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """An entry whose data was edited breaks at that entry."""
        document["lifecycle"]["history"][1]["data"] = {"note": "added later"}
        broken_at(run("audit", "verify", str(write(tmp_path, document))), 1, "$.lifecycle")

    def test_edited_actor(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """An entry whose actor was edited breaks at that entry."""
        document["lifecycle"]["history"][2]["who"] = "actor:someone-else"
        broken_at(run("audit", "verify", str(write(tmp_path, document))), 2, "$.lifecycle")

    def test_deleted_entry(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """A removed entry breaks the chain at the entry that followed it."""
        del document["lifecycle"]["history"][1]
        broken_at(run("audit", "verify", str(write(tmp_path, document))), 1, "$.lifecycle")

    def test_swapped_entries(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """Two entries swapped break the chain at the first of them."""
        history = document["lifecycle"]["history"]
        history[1], history[2] = history[2], history[1]
        broken_at(run("audit", "verify", str(write(tmp_path, document))), 1, "$.lifecycle")

    def test_inserted_copy(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """A copy of an entry inserted after it breaks the chain at the copy."""
        history = document["lifecycle"]["history"]
        history.insert(2, copy.deepcopy(history[1]))
        broken_at(run("audit", "verify", str(write(tmp_path, document))), 2, "$.lifecycle")

    def test_moved_to_another_service(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """A history moved to another service id breaks at entry 0."""
        document["id"] = document["lifecycle"]["id"] = "erp"
        result = run("audit", "verify", str(write(tmp_path, document)))
        broken_at(result, 0, "$.lifecycle")
        assert "moved from another instance" in result.stdout

    def test_truncated(self, tmp_path: Path, document: dict[str, Any], crm: CloudService) -> None:
        """A trail cut short holds alone; against the old head it breaks after its end."""
        document["lifecycle"]["history"] = document["lifecycle"]["history"][:2]
        document["lifecycle"]["state"] = "built"  # where the shorter history leads
        path = str(write(tmp_path, document))
        alone = run("audit", "verify", path)
        assert alone.returncode == 0, alone.stdout + alone.stderr
        against = run("audit", "verify", path, "--expected-head", crm.lifecycle.head)
        assert against.returncode == 1, against.stderr
        assert "$.lifecycle  cloud_service 'crm', 2 entries: broken at entry 2" in against.stdout
        assert "does not reach the expected head" in against.stdout

    def test_break_as_json(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """--format json names the entry's index, path and problem; no head is vouched for."""
        document["lifecycle"]["history"][1]["when"] = "2026-03-03T10:00:00+00:00"
        result = run("audit", "verify", str(write(tmp_path, document)), "--format", "json")
        assert result.returncode == 1
        report = json.loads(result.stdout)
        assert report["valid"] is False
        (trail,) = report["trails"]
        assert trail["head"] is None
        assert trail["broken"]["index"] == 1
        assert trail["broken"]["path"] == "$.lifecycle.history[1]"
        assert "edited" in trail["broken"]["problem"]

    def test_one_of_several_broken(self, tmp_path: Path) -> None:
        """In a graph, the broken service is named and the sound one keeps its head."""
        crm, erp = service("crm"), service("erp")
        data = json.loads(to_json(ServiceGraph(services=(crm, erp))))
        data["services"][1]["lifecycle"]["history"][0]["event"] = "build"
        result = run("audit", "verify", str(write(tmp_path, data)))
        assert result.stdout.startswith("crm.json: 1 of 2 trails broken\n")
        assert f"    head {crm.lifecycle.head}\n" in result.stdout
        broken_at(result, 0, "$.services[1].lifecycle")

    def test_reported_when_the_document_would_not_load(
        self, tmp_path: Path, document: dict[str, Any]
    ) -> None:
        """A broken chain is named even in a document the library refuses to read."""
        document["owner"] = 5
        del document["lifecycle"]["history"][0]
        broken_at(run("audit", "verify", str(write(tmp_path, document))), 0, "$.lifecycle")

    def test_malformed_entry(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """An entry that is not an entry (a hash that is not hex) is the first bad one."""
        document["lifecycle"]["history"][2]["hash"] = "not a hash"
        result = run("audit", "verify", str(write(tmp_path, document)))
        assert result.returncode == 1
        assert "$.lifecycle  cloud_service 'crm', 3 entries: broken at entry 2" in result.stdout
        assert "    $.lifecycle.history[2].hash: expected " in result.stdout

    def test_unknown_chain(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """A chain kind cloudsms does not know is a break at the instance's chain."""
        document["lifecycle"]["chain"] = "md5"
        result = run("audit", "verify", str(write(tmp_path, document)))
        assert result.returncode == 1
        assert (
            "    $.lifecycle.chain: expected 'sha256' or 'hmac-sha256', got 'md5'" in result.stdout
        )


def resealed(instance_id: str, rows: list[tuple[str, str, str, str]]) -> list[dict[str, Any]]:
    """Entries of the service lifecycle with a chain recomputed over them, guards ignored.

    What someone rewriting an unkeyed trail would do: the chain holds, the replay does not.
    """
    previous = genesis("cloud_service", instance_id, None, "{}")
    out = []
    for day, (who, event, source, target) in enumerate(rows):
        when = T0 + dt.timedelta(days=day)
        previous = link(previous, entry_bytes(who, when, event, source, target, "{}"), None)
        entry = HistoryEntry(
            who=who, when=when, event=event, source=source, target=target, hash=previous
        )
        out.append(json.loads(to_json(entry)))
    return out


class TestDocumentLoaded:
    """Once every chain holds, the document is read too: guards and states are replayed."""

    def test_guard_refused(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """A resealed history whose design skipped its review is refused at its entry."""
        rows = [("actor:a", "design", "planned", "designed")]
        document["lifecycle"]["history"] = resealed("crm", rows)
        document["lifecycle"]["state"] = "designed"
        result = run("audit", "verify", str(write(tmp_path, document)))
        assert result.returncode == 1
        assert result.stdout.startswith(
            "crm.json: every trail holds (1 lifecycle instance), but the document does not "
            "load: 1 problem\n"
        )
        assert "design checks not met" in result.stdout
        assert "@ $.lifecycle.history[0]" in result.stdout

    def test_state_not_reached(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """A stored state the history does not lead to is a problem at its path."""
        document["lifecycle"]["state"] = "live"
        result = run("audit", "verify", str(write(tmp_path, document)), "--format", "json")
        assert result.returncode == 1
        report = json.loads(result.stdout)
        assert report["trails"][0]["broken"] is None
        assert [p["path"] for p in report["problems"]] == ["$.lifecycle.state"]

    def test_bare_instance_replayed(self, tmp_path: Path) -> None:
        """Without a document type, each instance is replayed on its own."""
        rows = [("actor:a", "design", "planned", "designed")]
        bare = {
            "lifecycle": "cloud_service",
            "id": "crm",
            "chain": "sha256",
            "state": "designed",
            "context": {},
            "history": resealed("crm", rows),
        }
        result = run("audit", "verify", str(write(tmp_path, {"kept": [bare]})))
        assert result.returncode == 1
        assert "@ $.kept[0].history[0]" in result.stdout


@pytest.fixture(scope="module")
def keyed() -> CloudService:
    """The service with an HMAC-SHA-256 trail."""
    return service(keyed=True)


class TestKeyed:
    """A keyed trail is checked with its key, which never appears in any output."""

    @staticmethod
    def key_file(folder: Path, key: bytes = KEY) -> str:
        path = folder / "trail.key"
        path.write_bytes(key)
        return str(path)

    @staticmethod
    def assert_hidden(result: subprocess.CompletedProcess[str]) -> None:
        for shown in (result.stdout, result.stderr):
            assert KEY.decode() not in shown
            assert KEY.hex() not in shown
            assert "distinctive" not in shown

    def test_right_key(self, tmp_path: Path, keyed: CloudService) -> None:
        """The right key verifies the trail and prints its head."""
        path = str(write(tmp_path, keyed))
        result = run("audit", "verify", path, "--key-file", self.key_file(tmp_path))
        assert result.returncode == 0, result.stderr
        assert "$.lifecycle  cloud_service 'crm', 3 entries, hmac-sha256\n" in result.stdout
        assert f"    head {keyed.lifecycle.head}\n" in result.stdout
        self.assert_hidden(result)

    def test_wrong_key(self, tmp_path: Path, keyed: CloudService) -> None:
        """Another key breaks the trail at entry 0."""
        path = str(write(tmp_path, keyed))
        other = self.key_file(tmp_path, b"another key of thirty-two bytes!")
        result = run("audit", "verify", path, "--key-file", other)
        broken_at(result, 0, "$.lifecycle")
        self.assert_hidden(result)

    def test_no_key(self, tmp_path: Path, keyed: CloudService) -> None:
        """A keyed trail without its key is a usage error."""
        result = run("audit", "verify", str(write(tmp_path, keyed)))
        assert result.returncode == 2
        assert result.stdout == ""
        assert "keyed (chain 'hmac-sha256'): give its key with --key-file" in result.stderr

    def test_key_for_an_unkeyed_trail(self, tmp_path: Path, crm: CloudService) -> None:
        """A key given for a plain chain is a usage error, the key unshown."""
        path = str(write(tmp_path, crm))
        result = run("audit", "verify", path, "--key-file", self.key_file(tmp_path))
        assert result.returncode == 2
        assert "plain SHA-256 chain (chain 'sha256') and takes no key" in result.stderr
        self.assert_hidden(result)

    def test_tampered_keyed_trail(self, tmp_path: Path, keyed: CloudService) -> None:
        """An edited entry of a keyed trail breaks it, and the key stays unshown."""
        data = json.loads(to_json(keyed))
        data["lifecycle"]["history"][1]["who"] = "actor:intruder"
        path = str(write(tmp_path, data))
        result = run("audit", "verify", path, "--key-file", self.key_file(tmp_path))
        broken_at(result, 1, "$.lifecycle")
        self.assert_hidden(result)
        result = run(
            "audit", "verify", path, "--key-file", self.key_file(tmp_path), "--format", "json"
        )
        assert json.loads(result.stdout)["trails"][0]["broken"]["index"] == 1
        self.assert_hidden(result)

    def test_short_key(self, tmp_path: Path, keyed: CloudService) -> None:
        """A key file of fewer than 16 bytes is refused by its length alone."""
        path = str(write(tmp_path, keyed))
        result = run("audit", "verify", path, "--key-file", self.key_file(tmp_path, b"Zq7-secret"))
        assert result.returncode == 2
        assert "holds 10 bytes" in result.stderr
        assert "Zq7-secret" not in result.stdout + result.stderr

    def test_unreadable_key_file(self, tmp_path: Path, keyed: CloudService) -> None:
        """A key file that cannot be read exits 2."""
        path = str(write(tmp_path, keyed))
        result = run("audit", "verify", path, "--key-file", str(tmp_path / "missing.key"))
        assert result.returncode == 2
        assert "cannot read the key file" in result.stderr


class TestUsage:
    """What cannot be checked as asked exits 2 with one line on standard error."""

    def test_missing_file(self, tmp_path: Path) -> None:
        """A document that cannot be read."""
        result = run("audit", "verify", str(tmp_path / "missing.json"))
        assert result.returncode == 2
        assert "No such file or directory" in result.stderr

    def test_not_json(self, tmp_path: Path) -> None:
        """A file that is not JSON."""
        path = tmp_path / "crm.json"
        path.write_text('{"lifecycle": ', encoding="utf-8")
        result = run("audit", "verify", str(path))
        assert result.returncode == 2
        assert result.stderr.startswith("cloudsms: crm.json is not JSON cloudsms reads: ")

    def test_no_instance(self, tmp_path: Path) -> None:
        """A document without any lifecycle instance."""
        result = run("audit", "verify", str(write(tmp_path, {"type": "x", "items": [1, {}]})))
        assert result.returncode == 2
        assert (
            result.stderr == "cloudsms: crm.json holds no lifecycle instance with a hash chain\n"
        )

    def test_instance_before_the_chain(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """An instance written before the chain (schema version 2) is named as such."""
        del document["lifecycle"]["id"], document["lifecycle"]["chain"]
        for entry in document["lifecycle"]["history"]:
            del entry["hash"]
        document["schema_version"] = 2
        result = run("audit", "verify", str(write(tmp_path, document)))
        assert result.returncode == 2
        assert "$.lifecycle was written before the chain" in result.stderr

    def test_chain_keys_removed_is_a_break(self, tmp_path: Path, document: dict[str, Any]) -> None:
        """A chained instance whose id and chain were deleted is broken, not passed over."""
        del document["lifecycle"]["id"], document["lifecycle"]["chain"]
        result = run("audit", "verify", str(write(tmp_path, document)))
        assert result.returncode == 1
        assert "$.lifecycle.chain" in result.stdout

    def test_an_unchained_instance_beside_chained_ones(
        self, tmp_path: Path, document: dict[str, Any]
    ) -> None:
        """An instance stripped of every trace of its chain, in a chained document, breaks."""
        stripped = json.loads(json.dumps(document["lifecycle"]))
        del stripped["id"], stripped["chain"]
        for entry in stripped["history"]:
            del entry["hash"]
        both = {"first": document["lifecycle"], "second": stripped}
        result = run("audit", "verify", str(write(tmp_path, both)))
        assert result.returncode == 1
        assert "$.second" in result.stdout

    def test_expected_head_of_several(self, tmp_path: Path) -> None:
        """--expected-head with more than one instance is refused."""
        graph = ServiceGraph(services=(service("crm"), service("erp")))
        result = run("audit", "verify", str(write(tmp_path, graph)), "--expected-head", "0" * 64)
        assert result.returncode == 2
        assert "the document holds 2" in result.stderr

    def test_expected_head_not_hex(self, tmp_path: Path, crm: CloudService) -> None:
        """--expected-head that is not 64 hex digits is refused."""
        result = run("audit", "verify", str(write(tmp_path, crm)), "--expected-head", "abc")
        assert result.returncode == 2
        assert "64 hexadecimal digits" in result.stderr


CONSOLE = re.compile(r"^```console\n\$ (cloudsms [^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
"""A sample of docs/cli.md run in a fresh process (what it prints depends on the process)."""


class TestLifecycles:
    """lifecycle list and lifecycle diagram."""

    def test_documented_list(self) -> None:
        """docs/cli.md shows what `lifecycle list` prints from a shell.

        The sample is not one of tests/test_cli.py's: those run in the test process,
        where other test modules register lifecycles of their own.
        """
        page = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
        samples = dict(CONSOLE.findall(page))
        assert "cloudsms lifecycle list" in samples
        for command, shown in samples.items():
            result = fresh(*shlex.split(command)[1:])
            assert (result.returncode, result.stdout) == (0, shown), command

    def test_list(self) -> None:
        """Each shipped lifecycle with its number of states, initial state and events."""
        result = run("lifecycle", "list")
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].split() == ["NAME", "STATES", "INITIAL", "EVENTS"]
        assert "complaint            3  received   handle, reopen, close, withdraw" in lines

    def test_list_json(self) -> None:
        """--format json names each lifecycle's path, states, finals and events."""
        result = run("lifecycle", "list", "--format", "json")
        assert result.returncode == 0, result.stderr
        by_name = {row["name"]: row for row in json.loads(result.stdout)}
        assert set(by_name) >= {"cloud_service", "complaint"}
        complaint = lifecycle_named("complaint")
        assert by_name["complaint"] == {
            "name": "complaint",
            "path": "cloudsms.parties.complaints:COMPLAINT_LIFECYCLE",
            "states": list(complaint.states),
            "initial": complaint.initial,
            "finals": sorted(complaint.finals),
            "events": list(complaint.events),
        }

    def test_list_names_a_broken_registration(self) -> None:
        """A registered path that does not load is named in its row, not a traceback."""
        code = (
            "import sys; from cloudsms.lifecycle import register_lifecycle; "
            "register_lifecycle('ghost', 'nowhere.at_all:GHOST'); "
            "from cloudsms.cli import main; sys.exit(main(['lifecycle', 'list']))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert any(
            line.startswith("ghost") and "cannot be loaded" in line
            for line in result.stdout.splitlines()
        )

    @pytest.mark.parametrize("name", ["cloud_service", "complaint"])
    def test_diagram(self, name: str) -> None:
        """Prints the lifecycle's Mermaid diagram."""
        result = run("lifecycle", "diagram", name)
        assert result.returncode == 0, result.stderr
        assert result.stdout == lifecycle_named(name).to_mermaid() + "\n"

    def test_unknown_diagram(self) -> None:
        """An unknown name exits 2 with the close matches."""
        result = run("lifecycle", "diagram", "complain")
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr == "cloudsms: unknown lifecycle 'complain'; did you mean complaint?\n"
