"""The provider's context: what it offers, where, under which obligations, with whom.

Serves S01 (identify the context of service management of cloud services): the
service categories a provider offers, the jurisdictions it serves, the statutory,
regulatory and contractual obligations that bind it, and the suppliers whose
processes it governs; ISO/IEC 20000-1:2011 4.1, 4.2 and 7.1.
"""

from __future__ import annotations

import enum

import attrs

from cloudsms._foundation.frozen import as_frozenset, as_tuple
from cloudsms._kit.checks import ids, optional_text_problems, text
from cloudsms._kit.checks import jurisdiction as iso_code
from cloudsms._kit.checks import jurisdictions as iso_codes
from cloudsms._kit.records import Check, Record, one_or_more
from cloudsms.errors import ValidationError, describe
from cloudsms.services import ServiceCategory

__all__ = ["Obligation", "ObligationKind", "ProviderProfile"]

_optional_text = Check(optional_text_problems, expected="a non-empty string or null", total=True)
"""Text or null: a blank string is told "a non-empty string or null", as null is allowed."""


class ObligationKind(enum.StrEnum):
    """Where an obligation comes from."""

    STATUTORY = "statutory"
    REGULATORY = "regulatory"
    CONTRACTUAL = "contractual"


@attrs.frozen(kw_only=True)
class Obligation(Record):
    """Something the provider must do: its kind, what it requires, where, and its source.

    ``jurisdiction`` is an ISO 3166 code, or ``None`` for an obligation that binds
    everywhere (S01; ISO/IEC 20000-1:2011 4.1).
    """

    kind: ObligationKind
    requirement: str = attrs.field(validator=text)
    jurisdiction: str | None = attrs.field(validator=iso_code, default=None)
    source: str | None = attrs.field(validator=_optional_text, default=None)


@attrs.frozen(kw_only=True)
class ProviderProfile(Record):
    """A cloud service provider's context for its service management system (S01).

    Raises:
        ValidationError: every problem of the fields, each with its path.

    Examples:
        >>> from cloudsms.services import ServiceCategory
        >>> acme = ProviderProfile(
        ...     name="ACME Cloud",
        ...     categories_offered={ServiceCategory.IAAS, ServiceCategory.SAAS},
        ...     jurisdictions={"DE", "FR"},
        ...     obligations=(
        ...         Obligation(
        ...             kind=ObligationKind.STATUTORY,
        ...             requirement="Keep personal data in the EU",
        ...             jurisdiction="DE",
        ...             source="GDPR",
        ...         ),
        ...     ),
        ...     governed_suppliers=("colo-frankfurt",),
        ... )
        >>> [o.source for o in acme.obligations_in("DE")]
        ['GDPR']
    """

    name: str = attrs.field(validator=text)
    categories_offered: frozenset[ServiceCategory] = attrs.field(
        validator=one_or_more(ServiceCategory), converter=as_frozenset
    )
    jurisdictions: frozenset[str] = attrs.field(validator=iso_codes, converter=as_frozenset)
    obligations: tuple[Obligation, ...] = attrs.field(default=(), converter=as_tuple)
    governed_suppliers: tuple[str, ...] = attrs.field(
        validator=ids(of="supplier"), default=(), converter=as_tuple
    )

    def offers(self, category: ServiceCategory) -> bool:
        """Whether the provider offers services of ``category``.

        Raises:
            ValidationError: ``category`` is not a `ServiceCategory` (at ``$.category``).

        Examples:
            >>> profile = ProviderProfile(
            ...     name="ACME", categories_offered={ServiceCategory.SAAS}, jurisdictions={"DE"}
            ... )
            >>> profile.offers([])
            Traceback (most recent call last):
            ...
            cloudsms.errors.ValidationError: ProviderProfile is invalid (1 problem):
              - expected a ServiceCategory, got [] (array) @ $.category
        """
        _argument_or_raise(category, ServiceCategory, "a ServiceCategory", "$.category")
        return category in self.categories_offered

    def obligations_in(self, jurisdiction: str) -> tuple[Obligation, ...]:
        """The obligations that apply in ``jurisdiction``: its own and those everywhere.

        Raises:
            ValidationError: ``jurisdiction`` is not text (at ``$.jurisdiction``).
        """
        _argument_or_raise(jurisdiction, str, "a jurisdiction code such as 'DE'", "$.jurisdiction")
        return tuple(
            o for o in self.obligations if o.jurisdiction is None or o.jurisdiction == jurisdiction
        )

    def obligations_of(self, kind: ObligationKind) -> tuple[Obligation, ...]:
        """The obligations of one kind (statutory, regulatory or contractual).

        Raises:
            ValidationError: ``kind`` is not an `ObligationKind` (at ``$.kind``).
        """
        _argument_or_raise(kind, ObligationKind, "an ObligationKind", "$.kind")
        return tuple(o for o in self.obligations if o.kind is kind)


def _argument_or_raise(value: object, kind: type, expected: str, path: str) -> None:
    """Refuse a query argument of the wrong type (it would never match, or not hash)."""
    if not isinstance(value, kind):
        raise ValidationError.single(path, expected, describe(value), subject="ProviderProfile")
