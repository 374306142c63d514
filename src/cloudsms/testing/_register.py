"""Registers cloudsms's strategies for ``st.from_type``; run by hypothesis's entry point."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hypothesis.strategies import SearchStrategy


_STRATEGY_MODULES = (
    "_catalogue",
    "_agreements_targets",
    "_agreements",
    "_agreements_terms",
    "_parties",
    "_operations",
    "_operations_changes",
    "_monitoring",
    "_resources",
    "_costs",
    "_capacity",
    "_provider_cost",
    "_termination",
    "_onboarding",
    "_transfer",
    "_removal",
    "_improvement",
    "_conformity",
)
"""The strategy modules whose ``register()`` the hook calls, in the order it calls them."""


def _hypothesis_setup_hook() -> None:
    """Register a strategy for each cloudsms value type (called when hypothesis loads)."""
    import datetime as dt  # noqa: F401, PLC0415 - kept local: runs inside hypothesis's import
    import importlib  # noqa: PLC0415

    from hypothesis import strategies as st  # noqa: PLC0415

    from cloudsms.configuration import ConfigurationItem, ConfigurationRecord  # noqa: PLC0415
    from cloudsms.context import ProviderProfile  # noqa: PLC0415
    from cloudsms.planning import ServicePlan  # noqa: PLC0415
    from cloudsms.services import CloudService, ServiceComponent, ServiceGraph  # noqa: PLC0415
    from cloudsms.testing import _strategies as s  # noqa: PLC0415

    _register_wire_types()
    st.register_type_strategy(ServiceComponent, lambda _: s.service_components())
    st.register_type_strategy(CloudService, lambda _: s.cloud_services())
    st.register_type_strategy(ServiceGraph, lambda _: s.service_graphs())
    st.register_type_strategy(ConfigurationItem, lambda _: s.configuration_items())
    st.register_type_strategy(ProviderProfile, lambda _: s.provider_profiles())
    st.register_type_strategy(ServicePlan, lambda _: s.service_plans())
    st.register_type_strategy(ConfigurationRecord, lambda _: s.configuration_records())
    # Each module's register(), in this order: later modules draw on earlier ones.
    for name in _STRATEGY_MODULES:
        importlib.import_module(f"cloudsms.testing.{name}").register()
    _register_parts()
    _register_reference()


def _register_wire_types() -> None:
    """The strategy each wire type declares in `cloudsms._kit.wire`, by its dotted path."""
    import importlib  # noqa: PLC0415

    from hypothesis import strategies as st  # noqa: PLC0415

    from cloudsms._kit.wire import WIRE_TYPES  # noqa: PLC0415

    for wire in WIRE_TYPES:
        if wire.strategy is None:
            continue
        module, _, name = wire.strategy.partition(":")
        factory: Callable[[], st.SearchStrategy[Any]] = getattr(
            importlib.import_module(module), name
        )
        st.register_type_strategy(wire.kind, _drawn_by(factory))


def _drawn_by(
    factory: Callable[[], SearchStrategy[Any]],
) -> Callable[[type], SearchStrategy[Any]]:
    """What ``register_type_strategy`` takes: the type asked for, then ``factory``'s strategy."""
    return lambda _: factory()


def _register_parts() -> None:
    """The parts of documents and the other public value types, each on its own."""
    from hypothesis import strategies as st  # noqa: PLC0415

    from cloudsms.configuration import ConfigurationVersion, Relation  # noqa: PLC0415
    from cloudsms.context import Obligation  # noqa: PLC0415
    from cloudsms.money import Currency, currencies  # noqa: PLC0415
    from cloudsms.planning import Objective, PlannedRelease, Prerequisite  # noqa: PLC0415
    from cloudsms.services import Dependency, DesignReview  # noqa: PLC0415
    from cloudsms.testing import _strategies as s  # noqa: PLC0415

    st.register_type_strategy(Objective, lambda _: s._objectives())  # noqa: SLF001
    st.register_type_strategy(Prerequisite, lambda _: s._prerequisites())  # noqa: SLF001
    st.register_type_strategy(PlannedRelease, lambda _: s._planned_releases())  # noqa: SLF001
    st.register_type_strategy(Obligation, lambda _: s._obligations())  # noqa: SLF001
    st.register_type_strategy(Relation, lambda _: s._relations())  # noqa: SLF001
    st.register_type_strategy(
        ConfigurationVersion,
        lambda _: s._configuration_versions(),  # noqa: SLF001
    )
    st.register_type_strategy(Dependency, lambda _: s._dependencies())  # noqa: SLF001
    st.register_type_strategy(DesignReview, lambda _: s._design_reviews())  # noqa: SLF001
    st.register_type_strategy(Currency, lambda _: st.sampled_from(currencies()))


def _register_reference() -> None:
    """The shipped reference records: clauses, scenarios, citations, coverage, sources."""
    from hypothesis import strategies as st  # noqa: PLC0415

    from cloudsms import reference  # noqa: PLC0415

    def shipped(
        pick: Callable[[reference.ReferenceSet], Sequence[object]],
    ) -> st.SearchStrategy[object]:
        return st.builds(reference.shipped).flatmap(lambda refs: st.sampled_from(pick(refs)))

    st.register_type_strategy(reference.Clause, lambda _: shipped(lambda r: r.clauses()))
    st.register_type_strategy(reference.Scenario, lambda _: shipped(lambda r: r.scenarios()))
    st.register_type_strategy(reference.Citation, lambda _: shipped(lambda r: r.citations()))
    st.register_type_strategy(
        reference.Coverage,
        lambda _: shipped(
            lambda r: [c for clause in r.clauses() for c in r.coverage_of(clause.number)]
        ),
    )
    st.register_type_strategy(
        reference.Provenance, lambda _: shipped(lambda r: [c.provenance for c in r.clauses()])
    )
