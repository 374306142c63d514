"""Release to live (S05): a tested service goes live and its catalogue entry is published.

One step moves several model objects together, so it is a procedure: the service's
lifecycle instance, which the service holds, moves from ``tested`` to ``live``
through `cloudsms.lifecycle.advance`, its catalogue entry is added or
replaced, and each of its configuration records gets a new version. Every value
returned is new; the inputs never change; when any check fails nothing is returned.
Serves S05 (design and transition of a new or changed cloud service) and
ISO/IEC 20000-1:2011 5.4 (design and development) and 5.5 (transition).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from cloudsms._kit.checks import (
    as_frozen_mapping,
    instance_problems,
    raise_problems,
)
from cloudsms.catalogue.collection import Catalogue
from cloudsms.catalogue.entries import CatalogueEntry
from cloudsms.configuration import ConfigurationRecord
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.lifecycle import LifecycleInstance, advance
from cloudsms.services import CloudService

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["Release", "release_to_live"]


# ------------------------------------------------------------- release to live (S05)
@attrs.frozen(kw_only=True)
class Release:
    """What `release_to_live` produced: each value new, the inputs unchanged (S05).

    ``service`` is the live service, holding its lifecycle instance (`instance`).

    Raises:
        ValidationError: a field of the wrong type, with its path.
    """

    service: CloudService
    catalogue: Catalogue
    records: Mapping[str, ConfigurationRecord] = attrs.field(converter=as_frozen_mapping)

    def __attrs_post_init__(self) -> None:
        problems = instance_problems(self.service, CloudService, "$.service")
        problems += instance_problems(self.catalogue, Catalogue, "$.catalogue")
        problems += _records_problems(self.records)
        raise_problems(problems, "Release")

    @property
    def instance(self) -> LifecycleInstance:
        """The released service's lifecycle instance, now ``live`` (read from the service)."""
        return self.service.lifecycle


def _records_problems(records: object) -> list[Problem]:
    """``[]`` for a mapping of configuration item ids to the records of those items."""
    if not isinstance(records, Mapping) or not all(
        isinstance(k, str) and isinstance(v, ConfigurationRecord) for k, v in records.items()
    ):
        return [
            Problem("$.records", "a mapping of item ids to ConfigurationRecord", describe(records))
        ]
    return [
        Problem(
            f"$.records.{key}", f"the record of item {key!r}", f"the record of {r.current.id!r}"
        )
        for key, r in records.items()
        if r.current.id != key
    ]


def _release_arguments(service: object, entry: object, catalogue: object, records: object) -> None:
    problems = instance_problems(service, CloudService, "$.service")
    problems += instance_problems(entry, CatalogueEntry, "$.entry")
    problems += instance_problems(catalogue, Catalogue, "$.catalogue")
    problems += _records_problems(records)
    raise_problems(problems, "Release to live")


def release_to_live(
    *,
    service: CloudService,
    entry: CatalogueEntry,
    catalogue: Catalogue,
    records: Mapping[str, ConfigurationRecord],
    by: str,
    at: dt.datetime,
    change: str | None = None,
) -> Release:
    """Release a tested service to live and publish it (S05; 20000-1:2011 5.4, 9.1, 9.3).

    In one step, or not at all: the ``release`` event takes the lifecycle instance
    ``service`` holds (in ``tested``) to ``live``, by `cloudsms.lifecycle.advance`,
    with ``change`` in the event's data; the live service replaces its copy in the
    catalogue's graph; ``entry`` (for ``service``) is added to
    the catalogue or replaces the entry with its id; and the configuration record of
    the service and of each of its components gets a version with ``status`` set to
    ``live`` (a record is created, with a ``uses`` relation from the service to each
    component, where none exists yet). ``records`` maps configuration item ids to
    their records; the result holds all of them, updated ones replaced.

    Raises:
        InvalidTransition: the service is not ``tested``.
        ValidationError: ``entry`` describes another service, ``service`` is not the
            catalogue graph's own copy (the same service, lifecycle and history
            included), or a record cannot take the new version.
    """
    from cloudsms.configuration import ConfigurationItem, Relation, RelationKind  # noqa: PLC0415

    _release_arguments(service, entry, catalogue, records)
    graph = catalogue.graph
    if entry.service != service.id:
        raise ValidationError.single(
            "$.entry.service",
            f"{service.id!r}, the released service",
            describe(entry.service),
            subject="Release to live",
        )
    same_id = next((e for e in catalogue.entries if e.id == entry.id), None)
    if same_id is not None and same_id.service != service.id:
        raise ValidationError.single(
            "$.entry.id",
            "an entry id not used by another service's entry",
            f"{entry.id!r}, the entry of service {same_id.service!r}",
            subject="Release to live",
        )
    known = next((s for s in graph.services if s.id == service.id), None)
    if known is None:
        raise ValidationError.single(
            "$.service",
            "a service in the catalogue's graph",
            describe(service.id),
            subject="Release to live",
        )
    if known != service:
        raise ValidationError.single(
            "$.service",
            f"the catalogue graph's own copy of service {service.id!r}",
            "a service with the same id and other fields",
            subject="Release to live",
        )
    live = advance(service, "release", who=by, when=at, data={"change": change} if change else {})
    graph = attrs.evolve(
        graph, services=tuple(live if s.id == service.id else s for s in graph.services)
    )
    published = attrs.evolve(catalogue, graph=graph).with_entry(entry)
    components = {c.id: c for c in graph.components}
    updated = dict(records)
    items = [(service.id, service.name, "cloud service", service.components)]
    items += [(c, components[c].name, components[c].kind.value, ()) for c in service.components]
    for item_id, name, kind, uses in items:
        record = records.get(item_id)
        if record is None:
            relations = tuple(Relation(kind=RelationKind.USES, target=u) for u in uses)
            item = ConfigurationItem(
                id=item_id,
                name=name,
                kind=kind,
                attributes={"status": "live"},
                relations=relations,
            )
            updated[item_id] = ConfigurationRecord.create(item, by=by, at=at, change=change)
        elif record.current.attributes.get("status") != "live":
            attributes = {**record.current.attributes, "status": "live"}
            updated[item_id] = record.update(by=by, at=at, attributes=attributes, change=change)
    return Release(service=live, catalogue=published, records=updated)
