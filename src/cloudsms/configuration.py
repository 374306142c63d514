"""Configuration items and their records: what a service is made of, version by version.

Serves S05 (the configuration management database is updated with new or changed
items when a service is released) and S11 (configuration records are updated with a
revised resource allocation and changed interfaces); ISO/IEC 20000-1:2011 9.1,
configuration management, and 4.3.3, control of records.

A `ConfigurationItem` is one state of an item: its attributes and its relations to
other items. A `ConfigurationRecord` keeps every state the item has had, each as a
`ConfigurationVersion` saying who changed it, when, and under which change. A record
changes only by `ConfigurationRecord.update`, which returns a new record one version
longer; the history is never rewritten.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping

import attrs

from cloudsms._foundation.instants import instant_key
from cloudsms._kit.checks import (
    as_frozen_mapping,
    as_tuple,
    id_problems,
    optional_text_problems,
    text_problems,
)
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.periods import aware

__all__ = [
    "ConfigurationItem",
    "ConfigurationRecord",
    "ConfigurationVersion",
    "Relation",
    "RelationKind",
]

_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")


class RelationKind(enum.StrEnum):
    """How one configuration item relates to another."""

    DEPENDS_ON = "depends on"
    HOSTED_ON = "hosted on"
    CONNECTS_TO = "connects to"
    PART_OF = "part of"
    USES = "uses"


@attrs.frozen(kw_only=True)
class Relation:
    """A relation to another item, with the interface it goes through, if any."""

    kind: RelationKind
    target: str
    interface: str | None = None

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        kind: object = self.kind
        if not isinstance(kind, RelationKind):
            problems.append(Problem("$.kind", "a RelationKind", describe(kind)))
        problems += id_problems(self.target, "$.target")
        problems += optional_text_problems(self.interface, "$.interface")
        if problems:
            raise ValidationError(problems, subject="Relation")


@attrs.frozen(kw_only=True)
class ConfigurationItem:
    """One state of a configuration item: its kind, attributes and relations.

    ``attributes`` map lower-case keys to text (``{"vcpus": "8", "region": "eu-1"}``);
    ``relations`` go to other items by id, each at most once per kind.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    id: str
    name: str
    kind: str
    attributes: Mapping[str, str] = attrs.field(factory=dict, converter=as_frozen_mapping)
    relations: tuple[Relation, ...] = attrs.field(default=(), converter=as_tuple)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        problems += id_problems(self.id, "$.id")
        problems += text_problems(self.name, "$.name")
        problems += text_problems(self.kind, "$.kind")
        problems += _attribute_problems(self.attributes)
        problems += _relation_problems(self.relations, self.id)
        if problems:
            raise ValidationError(problems, subject="ConfigurationItem")


def _attribute_problems(attributes: object) -> list[Problem]:
    if not isinstance(attributes, Mapping):
        return [Problem("$.attributes", "an object of text values", describe(attributes))]
    problems: list[Problem] = []
    for key, value in attributes.items():
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            problems.append(
                Problem("$.attributes", "lower-case keys such as 'vcpus'", describe(key))
            )
        elif not isinstance(value, str):
            problems.append(Problem(f"$.attributes.{key}", "text", describe(value)))
    return problems


def _relation_problems(relations: object, own_id: object) -> list[Problem]:
    if not isinstance(relations, tuple) or not all(isinstance(r, Relation) for r in relations):
        return [Problem("$.relations", "a list of Relation", describe(relations))]
    problems: list[Problem] = []
    seen: set[tuple[RelationKind, str]] = set()
    for index, relation in enumerate(relations):
        if relation.target == own_id:
            problems.append(
                Problem(f"$.relations[{index}].target", "another item", describe(relation.target))
            )
        if (relation.kind, relation.target) in seen:
            problems.append(
                Problem(
                    f"$.relations[{index}]",
                    "each relation once",
                    f"{relation.kind.value} {relation.target} again",
                )
            )
        seen.add((relation.kind, relation.target))
    return problems


@attrs.frozen(kw_only=True)
class ConfigurationVersion:
    """One version of a record: the item as it was, and who changed it when, and why."""

    version: int
    item: ConfigurationItem
    changed_by: str
    changed_at: dt.datetime = attrs.field(eq=instant_key)
    change: str | None = None

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        version: object = self.version
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            problems.append(Problem("$.version", "an integer from 1", describe(version)))
        item: object = self.item
        if not isinstance(item, ConfigurationItem):
            problems.append(Problem("$.item", "a ConfigurationItem", describe(item)))
        who: object = self.changed_by
        if not isinstance(who, str) or not who.strip():
            problems.append(Problem("$.changed_by", "a non-empty string", describe(who)))
        try:
            aware(self.changed_at, "$.changed_at")
        except ValidationError as exc:
            problems += exc.problems
        change: object = self.change
        if change is not None and (not isinstance(change, str) or not change.strip()):
            problems.append(Problem("$.change", "a change reference or null", describe(change)))
        if problems:
            raise ValidationError(problems, subject="ConfigurationVersion")


@attrs.frozen(kw_only=True)
class ConfigurationRecord:
    """Every version a configuration item has had, oldest first; never rewritten.

    Raises:
        ValidationError: no versions, versions not numbered 1, 2, 3..., a version of
            another item, or time running backwards.

    Examples:
        >>> import datetime as dt
        >>> t0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
        >>> vm = ConfigurationItem(
        ...     id="vm-17", name="App server", kind="virtual machine", attributes={"vcpus": "4"}
        ... )
        >>> record = ConfigurationRecord.create(vm, by="provisioning", at=t0)
        >>> record = record.update(
        ...     attributes={"vcpus": "8"},
        ...     by="ops",
        ...     at=t0 + dt.timedelta(days=3),
        ...     change="CHG-1042",
        ... )
        >>> record.current.attributes, record.current_version.change
        ({'vcpus': '8'}, 'CHG-1042')
        >>> record.as_of(t0 + dt.timedelta(days=1)).attributes
        {'vcpus': '4'}
    """

    versions: tuple[ConfigurationVersion, ...]

    def __attrs_post_init__(self) -> None:
        versions: object = self.versions
        if (
            not isinstance(versions, tuple)
            or not versions
            or not all(isinstance(v, ConfigurationVersion) for v in versions)
        ):
            raise ValidationError.single(
                "$.versions",
                "one or more ConfigurationVersion values",
                describe(versions),
                subject="ConfigurationRecord",
            )
        problems: list[Problem] = []
        first = self.versions[0].item.id
        for index, version in enumerate(self.versions):
            path = f"$.versions[{index}]"
            if version.version != index + 1:
                problems.append(
                    Problem(f"{path}.version", str(index + 1), describe(version.version))
                )
            if version.item.id != first:
                problems.append(
                    Problem(
                        f"{path}.item.id",
                        f"{first!r}, the record's item",
                        describe(version.item.id),
                    )
                )
            if index and version.changed_at.astimezone(dt.UTC) < self.versions[
                index - 1
            ].changed_at.astimezone(dt.UTC):
                problems.append(
                    Problem(
                        f"{path}.changed_at",
                        "an instant not before the version before",
                        version.changed_at.isoformat(),
                    )
                )
        if problems:
            raise ValidationError(problems, subject="ConfigurationRecord")

    @classmethod
    def create(
        cls, item: ConfigurationItem, *, by: str, at: dt.datetime, change: str | None = None
    ) -> ConfigurationRecord:
        """A new record whose first version is ``item``."""
        first = ConfigurationVersion(
            version=1, item=item, changed_by=by, changed_at=at, change=change
        )
        return cls(versions=(first,))

    @property
    def current_version(self) -> ConfigurationVersion:
        """The latest version."""
        return self.versions[-1]

    @property
    def current(self) -> ConfigurationItem:
        """The item as it is now."""
        return self.versions[-1].item

    def history(self) -> tuple[ConfigurationVersion, ...]:
        """Every version, oldest first."""
        return self.versions

    def as_of(self, instant: dt.datetime) -> ConfigurationItem | None:
        """The item as it was at ``instant`` (``None`` before the record existed)."""
        moment = aware(instant, "$.instant").astimezone(dt.UTC)
        found = None
        for version in self.versions:
            if version.changed_at.astimezone(dt.UTC) <= moment:
                found = version.item
        return found

    def update(
        self,
        *,
        by: str,
        at: dt.datetime,
        name: str | None = None,
        attributes: Mapping[str, str] | None = None,
        relations: Iterable[Relation] | None = None,
        change: str | None = None,
    ) -> ConfigurationRecord:
        """A new record with one more version: the current item with the given fields replaced.

        Raises:
            ValidationError: the new state is invalid, ``at`` is before the latest
                version, or nothing would change. This record never changes.
        """
        current = self.current
        item = attrs.evolve(
            current,
            name=current.name if name is None else name,
            attributes=current.attributes if attributes is None else attributes,
            relations=current.relations if relations is None else relations,
        )
        if item == current:
            raise ValidationError.single(
                "$",
                "an update that changes the item",
                "the same name, attributes and relations",
                subject="configuration update",
            )
        version = ConfigurationVersion(
            version=len(self.versions) + 1, item=item, changed_by=by, changed_at=at, change=change
        )
        return ConfigurationRecord(versions=(*self.versions, version))

    def diff(self, older: int, newer: int) -> dict[str, tuple[object, object]]:
        """What changed between two versions: field or ``attributes.key`` -> (old, new).

        Raises:
            ValidationError: no such version.
        """
        numbers: tuple[object, object] = (older, newer)
        for number in numbers:
            if not isinstance(number, int) or not 1 <= number <= len(self.versions):
                raise ValidationError.single(
                    "$.version", f"a version from 1 to {len(self.versions)}", describe(number)
                )
        a, b = self.versions[older - 1].item, self.versions[newer - 1].item
        changes: dict[str, tuple[object, object]] = {}
        if a.name != b.name:
            changes["name"] = (a.name, b.name)
        for key in sorted(set(a.attributes) | set(b.attributes)):
            if a.attributes.get(key) != b.attributes.get(key):
                changes[f"attributes.{key}"] = (a.attributes.get(key), b.attributes.get(key))
        if a.relations != b.relations:
            changes["relations"] = (a.relations, b.relations)
        return changes
