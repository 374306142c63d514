"""The catalogue: entries for the services of a service graph, and the queries on them.

Serves S03 (provide a catalogue of cloud services) and the publication step of S05.
The catalogue keeps its entries with the `cloudsms.services.ServiceGraph` of the
services they describe, so it can say which entries depend on a component.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import attrs

from cloudsms._foundation.frozen import as_tuple
from cloudsms._foundation.suggest import suggest
from cloudsms._kit.checks import (
    instance_problems,
    jurisdiction_problems,
    member_of,
    raise_problems,
)
from cloudsms._kit.records import Record, unique_by
from cloudsms.catalogue.entries import CatalogueEntry
from cloudsms.errors import Problem, UnknownReference, describe
from cloudsms.services import ServiceCategory, ServiceGraph

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Catalogue"]


@attrs.frozen(kw_only=True)
class Catalogue(Record):
    """The catalogue: entries for the services of a `ServiceGraph` (S03, S05).

    Every entry describes a service of ``graph`` in that service's category, so the
    catalogue can answer which entries a component's failure touches.

    Raises:
        ValidationError: a repeated entry id, an entry for a service the graph lacks,
            or an entry whose category differs from its service's.

    Examples:
        >>> catalogue = Catalogue()
        >>> catalogue.entries, catalogue.by_category(ServiceCategory.IAAS)
        ((), ())
    """

    entries: tuple[CatalogueEntry, ...] = attrs.field(
        validator=unique_by("id"), default=(), converter=as_tuple
    )
    graph: ServiceGraph = attrs.field(factory=ServiceGraph)

    def _rules(self) -> Iterator[Problem]:
        """Each entry describes a service of the graph, in its category and deployment models."""
        services = {service.id: service for service in self.graph.services}
        for index, entry in enumerate(self.entries):
            service = services.get(entry.service)
            if service is None:
                expected = "the id of a service in the catalogue's graph"
                yield Problem(f"entries[{index}].service", expected, describe(entry.service))
                continue
            if entry.category is not service.category:
                expected = f"{service.category.value}, the category of service {service.id!r}"
                yield Problem(f"entries[{index}].category", expected, entry.category.value)
            extra = sorted(m.value for m in entry.deployment_models - service.deployment_models)
            if extra:
                has = ", ".join(sorted(m.value for m in service.deployment_models))
                expected = f"deployment models service {service.id!r} has ({has})"
                yield Problem(f"entries[{index}].deployment_models", expected, ", ".join(extra))

    @functools.cached_property
    def _by_id(self) -> dict[str, CatalogueEntry]:
        return {entry.id: entry for entry in self.entries}

    def __hash__(self) -> int:
        return hash((self.entries, self.graph))

    def entry(self, entry_id: str) -> CatalogueEntry:
        """The entry with this id.

        Raises:
            UnknownReference: no such entry (with close matches).
        """
        key: object = entry_id
        found = self._by_id.get(key) if isinstance(key, str) else None
        if found is None:
            raise UnknownReference("catalogue entry", key, suggestions=suggest(key, self._by_id))
        return found

    def by_category(self, category: ServiceCategory | str) -> tuple[CatalogueEntry, ...]:
        """The entries of a category (``ServiceCategory.IAAS`` or ``"IaaS"``), in order.

        Raises:
            ValidationError: ``category`` is not one of ISO/IEC 17788's seven.
        """
        wanted = member_of(ServiceCategory, category, "$.category", subject="Catalogue query")
        return tuple(e for e in self.entries if e.category is wanted)

    def by_data_location(self, code: str) -> tuple[CatalogueEntry, ...]:
        """The entries that keep data in ``code`` (a subdivision counts for its country).

        Raises:
            ValidationError: ``code`` is not an ISO 3166 code.
        """
        raise_problems(jurisdiction_problems(code, "$.code"), "Data location query")
        return tuple(e for e in self.entries if e.stores_data_in(code))

    def depending_on(self, node: str) -> tuple[CatalogueEntry, ...]:
        """The entries whose service needs ``node`` (a service or component), at any depth.

        Raises:
            UnknownReference: the graph has no such service or component.
        """
        affected = {s.id for s in self.graph.impact_of(node)}
        return tuple(e for e in self.entries if e.service in affected)

    def dependencies_of(self, entry_id: str) -> tuple[str, ...]:
        """Every service and component an entry's service needs, at any depth, sorted.

        Raises:
            UnknownReference: no such entry.
        """
        return self.graph.dependencies_of(self.entry(entry_id).service, transitive=True)

    def with_entry(self, entry: CatalogueEntry) -> Catalogue:
        """A new catalogue with ``entry`` added, or replacing the entry with its id.

        Raises:
            ValidationError: ``entry`` is not a `CatalogueEntry`, or does not fit the
                catalogue (its service or category).
        """
        raise_problems(instance_problems(entry, CatalogueEntry, "$.entry"), "Catalogue change")
        entries = [e for e in self.entries if e.id != entry.id]
        position = next((i for i, e in enumerate(self.entries) if e.id == entry.id), len(entries))
        entries.insert(position, entry)
        return attrs.evolve(self, entries=tuple(entries))

    def without_entry(self, entry_id: str) -> Catalogue:
        """A new catalogue without the entry ``entry_id`` (S15 removes services this way).

        Raises:
            UnknownReference: no such entry.
        """
        self.entry(entry_id)
        return attrs.evolve(self, entries=tuple(e for e in self.entries if e.id != entry_id))
