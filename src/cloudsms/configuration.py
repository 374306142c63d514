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
from collections.abc import Iterable, Iterator, Mapping

import attrs

from cloudsms._foundation.frozen import as_frozen_mapping, as_tuple
from cloudsms._foundation.instants import instant_key
from cloudsms._kit.checks import ident, instant, optional_text_problems, text
from cloudsms._kit.records import Check, Record, one_or_more
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

_optional_text = Check(optional_text_problems, expected="a non-empty string or null", total=True)
"""Text or null: a blank string is told "a non-empty string or null", as null is allowed."""


class RelationKind(enum.StrEnum):
    """How one configuration item relates to another."""

    DEPENDS_ON = "depends on"
    HOSTED_ON = "hosted on"
    CONNECTS_TO = "connects to"
    PART_OF = "part of"
    USES = "uses"


@attrs.frozen(kw_only=True)
class Relation(Record):
    """A relation to another item, with the interface it goes through, if any (S05, S11)."""

    kind: RelationKind
    target: str = attrs.field(validator=ident)
    interface: str | None = attrs.field(validator=_optional_text, default=None)


def _attribute_problems(attributes: object, path: str) -> list[Problem]:
    """Lower-case keys (``vcpus``), each to text; every bad key and value is told."""
    if not isinstance(attributes, Mapping):
        return [Problem(path, "an object of text values", describe(attributes))]
    problems: list[Problem] = []
    for key, value in attributes.items():
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            problems.append(Problem(path, "lower-case keys such as 'vcpus'", describe(key)))
        elif not isinstance(value, str):
            problems.append(Problem(f"{path}.{key}", "text", describe(value)))
    return problems


def _each_relation_once(relations: tuple[Relation, ...], path: str) -> list[Problem]:
    """No relation of one kind to one item twice."""
    problems: list[Problem] = []
    seen: set[tuple[RelationKind, str]] = set()
    for index, relation in enumerate(relations):
        if (relation.kind, relation.target) in seen:
            again = f"{relation.kind.value} {relation.target} again"
            problems.append(Problem(f"{path}[{index}]", "each relation once", again))
        seen.add((relation.kind, relation.target))
    return problems


@attrs.frozen(kw_only=True)
class ConfigurationItem(Record):
    """One state of a configuration item: its kind, attributes and relations (S05, S11).

    ``attributes`` map lower-case keys to text (``{"vcpus": "8", "region": "eu-1"}``);
    ``relations`` go to other items by id, each at most once per kind.

    Raises:
        ValidationError: every problem of the fields, each with its path.
    """

    id: str = attrs.field(validator=ident)
    name: str = attrs.field(validator=text)
    kind: str = attrs.field(validator=text)
    attributes: Mapping[str, str] = attrs.field(
        validator=Check(_attribute_problems, total=True),
        factory=dict,
        converter=as_frozen_mapping,
    )
    relations: tuple[Relation, ...] = attrs.field(
        validator=Check(_each_relation_once), default=(), converter=as_tuple
    )

    def _rules(self) -> Iterator[Problem]:
        """An item does not relate to itself."""
        for index, relation in enumerate(self.relations):
            if relation.target == self.id:
                yield Problem(
                    f"relations[{index}].target", "another item", describe(relation.target)
                )


def _from_one(version: int, path: str) -> list[Problem]:
    return [] if version >= 1 else [Problem(path, "an integer from 1", describe(version))]


def _change_reference(change: str, path: str) -> list[Problem]:
    return (
        [] if change.strip() else [Problem(path, "a change reference or null", describe(change))]
    )


@attrs.frozen(kw_only=True)
class ConfigurationVersion(Record):
    """One version of a record: the item as it was, and who changed it when, and why.

    ``change`` names the change under which the item changed (S11), if any.
    """

    version: int = attrs.field(validator=Check(_from_one, expected="an integer from 1"))
    item: ConfigurationItem
    changed_by: str = attrs.field(validator=text)
    changed_at: dt.datetime = attrs.field(validator=instant, eq=instant_key)
    change: str | None = attrs.field(
        validator=Check(_change_reference, expected="a change reference"), default=None
    )


@attrs.frozen(kw_only=True)
class ConfigurationRecord(Record):
    """Every version a configuration item has had, oldest first; never rewritten (S05, S11).

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

    versions: tuple[ConfigurationVersion, ...] = attrs.field(
        validator=one_or_more(ConfigurationVersion),
        converter=as_tuple,
    )

    def _rules(self) -> Iterator[Problem]:
        """Versions are numbered 1, 2, 3..., all of one item, and time never runs backwards."""
        first = self.versions[0].item.id
        before: dt.datetime | None = None
        for index, version in enumerate(self.versions):
            if version.version != index + 1:
                yield Problem(
                    f"versions[{index}].version", str(index + 1), describe(version.version)
                )
            if version.item.id != first:
                where, said = f"versions[{index}].item.id", f"{first!r}, the record's item"
                yield Problem(where, said, describe(version.item.id))
            at = version.changed_at.astimezone(dt.UTC)
            if before is not None and at < before:
                yield Problem(
                    f"versions[{index}].changed_at",
                    "an instant not before the version before",
                    version.changed_at.isoformat(),
                )
            before = at

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
        item = ConfigurationItem(
            id=current.id,
            name=current.name if name is None else name,
            kind=current.kind,
            attributes=current.attributes if attributes is None else attributes,
            relations=current.relations if relations is None else tuple(relations),
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
