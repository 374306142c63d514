"""cloudsms.testing: the public strategies draw valid values and are registered for from_type."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from cloudsms import testing
from cloudsms.catalogue import Upgrade, UpgradeKind
from cloudsms.lifecycle import HistoryEntry, Lifecycle, LifecycleInstance, Transition
from cloudsms.money import Money, Price
from cloudsms.periods import DailyWindow, Period, SupportHours
from cloudsms.resources import Rate, RateCard, resource_types
from cloudsms.serialization import from_dict, from_json, to_json
from cloudsms.units import Quantity, dimension, quantity

TICKETS = Lifecycle(
    name="ticket",
    states=("open", "waiting", "closed"),
    initial="open",
    finals=("closed",),
    transitions=(
        Transition(source="open", event="wait", target="waiting"),
        Transition(source="waiting", event="resume", target="open"),
        Transition(source="open", event="close", target="closed"),
    ),
)


class TestStrategies:
    """Each strategy draws values of its type within its bounds."""

    @given(testing.moneys(currency="JPY", min_value=0, max_value=100))
    def test_moneys(self, money: Money) -> None:
        """Draws money in the asked currency, at its minor unit, within bounds."""
        assert money.currency == "JPY"
        assert Decimal(0) <= money.amount <= 100
        assert money.rounded() == money

    @given(testing.moneys(places=4))
    def test_moneys_places(self, money: Money) -> None:
        """Draws amounts with the asked number of places."""
        exponent = money.amount.as_tuple().exponent
        assert isinstance(exponent, int)
        assert exponent >= -4

    @pytest.mark.parametrize("name", sorted(testing.DIMENSION_UNITS))
    def test_quantities_by_dimension(self, name: str) -> None:
        """Draws quantities of the asked dimension only."""

        @given(testing.quantities(dimension=name))
        def check(q: Quantity) -> None:
            assert dimension(q) == dimension(quantity(1, testing.DIMENSION_UNITS[name][0]))

        check()

    def test_quantities_unknown_dimension(self) -> None:
        """Refuses a dimension it has no units for."""
        with pytest.raises(InvalidArgument, match="dimension must be one of"):
            testing.quantities(dimension="[charm]")

    def test_quantities_argument_forms(self) -> None:
        """Takes one unit text as one unit, and refuses places it cannot draw."""

        @given(testing.quantities(units="ms"))
        def one_unit(value: Quantity) -> None:
            assert str(value.units) == "millisecond"

        one_unit()
        with pytest.raises(InvalidArgument, match="from 0 to 30"):
            testing.quantities(places=31)

    @given(testing.quantities(places=0, min_value=0, max_value=10))
    def test_quantities_edges_keep_places(self, value: Quantity) -> None:
        """Draws edge magnitudes at the asked places only."""
        assert value.magnitude == value.magnitude.to_integral_value()

    @given(
        testing.periods(
            min_duration=dt.timedelta(microseconds=1),
            max_duration=dt.timedelta(milliseconds=1),
        )
    )
    def test_periods_to_the_microsecond(self, period: Period) -> None:
        """Honours sub-second bounds exactly."""
        assert dt.timedelta(microseconds=1) <= period.duration <= dt.timedelta(milliseconds=1)

    @given(testing.periods(max_duration=dt.timedelta(days=3000 * 365)))
    def test_periods_as_long_as_allowed(self, period: Period) -> None:
        """Draws periods of up to 3000 years anywhere in the range, never past it."""
        assert period.duration <= dt.timedelta(days=3000 * 365)

    @pytest.mark.parametrize(
        ("low", "high"),
        [
            (dt.timedelta(0), dt.timedelta(days=1)),
            (dt.timedelta(days=2), dt.timedelta(days=1)),
            (dt.timedelta(days=1), dt.timedelta(days=3001 * 365)),
        ],
    )
    def test_periods_bounds_refused(self, low: dt.timedelta, high: dt.timedelta) -> None:
        """Refuses durations it cannot draw when the strategy is made."""
        with pytest.raises(InvalidArgument, match="durations must satisfy"):
            testing.periods(min_duration=low, max_duration=high)

    @given(testing.aware_datetimes(timezones=st.just(dt.UTC)))
    def test_aware_datetimes_in_given_zones(self, when: dt.datetime) -> None:
        """Draws in the given zones without a warning about the strategy's truth value."""
        assert when.tzinfo is dt.UTC

    @given(testing.prices(edges=False), testing.periods(edges=False))
    def test_edges_off(self, price: Price, period: Period) -> None:
        """Takes edges=False in prices() and periods() too."""
        assert price.amount.amount <= 10**9
        assert period.start.year >= 1999

    @given(testing.periods(min_duration=dt.timedelta(hours=1), max_duration=dt.timedelta(days=2)))
    def test_periods(self, period: Period) -> None:
        """Draws aware periods of the asked length."""
        assert dt.timedelta(hours=1) <= period.duration <= dt.timedelta(days=2)

    @given(testing.aware_datetimes())
    def test_aware_datetimes(self, instant: dt.datetime) -> None:
        """Draws only aware datetimes whose wall time exists."""
        assert instant.tzinfo is not None
        assert instant.astimezone(dt.UTC).astimezone(instant.tzinfo) == instant

    @given(
        testing.calendar_lengths(),
        testing.prices(),
        testing.support_hours(),
        testing.daily_windows(),
        testing.currency_codes(codes=["EUR", "USD"]),
    )
    def test_other_strategies(
        self,
        length: relativedelta,
        price: Price,
        hours: SupportHours,
        window: DailyWindow,
        code: str,
    ) -> None:
        """Draws valid calendar lengths, prices, support hours, windows and codes."""
        assert length.months or length.days
        assert isinstance(price, Price)
        assert isinstance(hours, SupportHours)
        assert 0 <= window.opens < window.closes <= 1440
        assert code in {"EUR", "USD"}


class TestFromType:
    """The hypothesis entry point registers the strategies for st.from_type."""

    @pytest.mark.parametrize(
        "kind", [Money, Price, Period, SupportHours, DailyWindow, Quantity, relativedelta]
    )
    def test_registered(self, kind: type) -> None:
        """Draws values of each type through st.from_type."""

        @given(st.from_type(kind))
        def check(value: object) -> None:
            if kind is Quantity:
                assert isinstance(value, Quantity)
            else:
                assert isinstance(value, kind)

        check()


class TestModelStrategies:
    """Strategies for history entries, exact durations and lifecycle instances."""

    @given(testing.history_entries(), testing.exact_durations())
    def test_entries_and_durations(self, entry: HistoryEntry, duration: dt.timedelta) -> None:
        """Draws entries that survive the wire exactly, and non-negative durations."""
        assert from_dict(HistoryEntry, json.loads(to_json(entry))) == entry
        assert duration >= dt.timedelta(0)

    @given(testing.lifecycle_instances(TICKETS))
    def test_lifecycle_instances(self, instance: LifecycleInstance) -> None:
        """Draws instances whose history replays to their state."""
        assert TICKETS.resume(instance.history(), id=instance.id) == instance

    @given(st.from_type(HistoryEntry))
    def test_entries_registered(self, entry: HistoryEntry) -> None:
        """Draws history entries through st.from_type."""
        assert isinstance(entry, HistoryEntry)


class TestWithoutHypothesis:
    """Importing cloudsms.testing without hypothesis says what to install."""

    def test_names_the_extra(self) -> None:
        """Raises ImportError naming the 'testing' extra when hypothesis is missing."""
        import subprocess  # noqa: PLC0415
        import sys  # noqa: PLC0415

        code = (
            "import sys; sys.modules['hypothesis'] = None\n"
            "try:\n"
            "    import cloudsms.testing\n"
            "except ImportError as exc:\n"
            "    print(type(exc).__name__, exc.name, exc)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip() == (
            "ImportError hypothesis cloudsms.testing needs hypothesis, which is not "
            "installed: pip install 'cloudsms[testing]'"
        )


class TestMoneyEdges:
    """moneys() reaches the bounds at any places, and refuses places it cannot draw."""

    @given(testing.moneys(currency="EUR", places=30))
    def test_thirty_places(self, money: Money) -> None:
        """Draws valid amounts with 30 places, never more than 38 digits."""
        assert money.amount.as_tuple().exponent >= -30
        assert len(money.amount.normalize().as_tuple().digits) <= 38

    def test_places_out_of_range(self) -> None:
        """Refuses 31 places when the strategy is made."""
        from hypothesis.errors import InvalidArgument  # noqa: PLC0415

        with pytest.raises(InvalidArgument, match="from 0 to 30"):
            testing.moneys(places=31)


class TestUpgradeResourceTypes:
    """upgrades() sometimes names the resource type a resource upgrade adds (S11).

    The rule of `Upgrade.resource_type`: only a resource upgrade names one, the id of a
    resource type; drawn with a price a rate card accepts for that type, so drawn
    catalogues can be turned into rate cards.
    """

    @given(testing.upgrades(currency="EUR"))
    def test_named_only_for_resources_and_priced_to_suit(self, upgrade: Upgrade) -> None:
        """A named type is a built-in id on a resource upgrade, and a rate card takes its price."""
        if upgrade.resource_type is None:
            return
        assert upgrade.kind is UpgradeKind.RESOURCE
        assert upgrade.resource_type in {kind.id for kind in resource_types()}
        assert upgrade.price.amount.currency == "EUR"
        card = RateCard(currency="EUR", rates=(Rate(upgrade.resource_type, price=upgrade.price),))
        assert card.problems() == []

    @given(testing.upgrades())
    def test_round_trip(self, upgrade: Upgrade) -> None:
        """Every drawn upgrade, a resource type or not, reads back from its JSON."""
        assert from_json(Upgrade, to_json(upgrade)) == upgrade

    # Found, not shrunk: shrinking a whole catalogue to the smallest one that holds
    # such an upgrade took minutes and proves nothing more.
    FOUND = settings(
        phases=[Phase.generate],
        max_examples=500,
        database=None,
        suppress_health_check=list(HealthCheck),
    )

    def test_both_forms_are_drawn(self) -> None:
        """Resource upgrades are drawn with a type and without one, metered types per unit."""
        named = find(
            testing.upgrades(), lambda u: u.resource_type is not None, settings=self.FOUND
        )
        assert named.kind is UpgradeKind.RESOURCE
        unnamed = find(
            testing.upgrades(),
            lambda u: u.kind is UpgradeKind.RESOURCE and u.resource_type is None,
            settings=self.FOUND,
        )
        assert unnamed.resource_type is None
        metered = find(
            testing.upgrades(), lambda u: u.resource_type == "requests", settings=self.FOUND
        )
        assert metered.price.per is None

    # find() writes the example it found; a whole catalogue can run past hypothesis's
    # 30 kB repr warning, which says nothing about the rule checked here.
    @pytest.mark.filterwarnings("ignore:Generating overly large repr")
    def test_catalogues_exercise_it(self) -> None:
        """A drawn catalogue can hold an upgrade naming a resource type."""
        catalogue = find(
            testing.catalogues(),
            lambda c: any(u.resource_type for e in c.entries for u in e.upgrades),
            settings=self.FOUND,
        )
        assert any(u.resource_type for e in catalogue.entries for u in e.upgrades)
