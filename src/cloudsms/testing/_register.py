"""Registers cloudsms's strategies for ``st.from_type``; run by hypothesis's entry point."""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Register a strategy for each cloudsms value type (called when hypothesis loads)."""
    import datetime as dt  # noqa: F401, PLC0415 - kept local: runs inside hypothesis's import

    from dateutil.relativedelta import relativedelta  # noqa: PLC0415
    from hypothesis import strategies as st  # noqa: PLC0415

    from cloudsms.configuration import ConfigurationItem, ConfigurationRecord  # noqa: PLC0415
    from cloudsms.context import ProviderProfile  # noqa: PLC0415
    from cloudsms.lifecycle import HistoryEntry  # noqa: PLC0415
    from cloudsms.money import Money, Price  # noqa: PLC0415
    from cloudsms.periods import DailyWindow, Period, SupportHours  # noqa: PLC0415
    from cloudsms.planning import ServicePlan  # noqa: PLC0415
    from cloudsms.services import CloudService, ServiceComponent, ServiceGraph  # noqa: PLC0415
    from cloudsms.testing import _catalogue as catalogue_strategies  # noqa: PLC0415
    from cloudsms.testing import _parties as parties_strategies  # noqa: PLC0415
    from cloudsms.testing import _strategies as s  # noqa: PLC0415
    from cloudsms.units import Quantity  # noqa: PLC0415

    st.register_type_strategy(Money, lambda _: s.moneys())
    st.register_type_strategy(Price, lambda _: s.prices())
    st.register_type_strategy(Period, lambda _: s.periods())
    st.register_type_strategy(DailyWindow, lambda _: s.daily_windows())
    st.register_type_strategy(SupportHours, lambda _: s.support_hours())
    st.register_type_strategy(Quantity, lambda _: s.quantities())
    st.register_type_strategy(relativedelta, lambda _: s.calendar_lengths())
    st.register_type_strategy(HistoryEntry, lambda _: s.history_entries())
    st.register_type_strategy(ServiceComponent, lambda _: s.service_components())
    st.register_type_strategy(CloudService, lambda _: s.cloud_services())
    st.register_type_strategy(ServiceGraph, lambda _: s.service_graphs())
    st.register_type_strategy(ConfigurationItem, lambda _: s.configuration_items())
    st.register_type_strategy(ProviderProfile, lambda _: s.provider_profiles())
    st.register_type_strategy(ServicePlan, lambda _: s.service_plans())
    st.register_type_strategy(ConfigurationRecord, lambda _: s.configuration_records())
    catalogue_strategies.register()
    parties_strategies.register()
