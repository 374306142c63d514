"""The provider's context: what it offers, where, under which obligations, with whom.

Serves S01 (identify the context of service management of cloud services): the
service categories a provider offers, the jurisdictions it serves, the statutory,
regulatory and contractual obligations that bind it, and the suppliers whose
processes it governs; ISO/IEC 20000-1:2011 4.1, 4.2 and 7.1.
"""

from __future__ import annotations

import enum

import attrs

from cloudsms._kit.checks import (
    as_frozenset,
    as_tuple,
    id_list_problems,
    jurisdiction_problems,
    jurisdiction_set_problems,
    optional_text_problems,
    text_problems,
)
from cloudsms.errors import Problem, ValidationError, describe
from cloudsms.services import ServiceCategory

__all__ = ["Obligation", "ObligationKind", "ProviderProfile"]


class ObligationKind(enum.StrEnum):
    """Where an obligation comes from."""

    STATUTORY = "statutory"
    REGULATORY = "regulatory"
    CONTRACTUAL = "contractual"


@attrs.frozen(kw_only=True)
class Obligation:
    """Something the provider must do: its kind, what it requires, where, and its source."""

    kind: ObligationKind
    requirement: str
    jurisdiction: str | None = None
    source: str | None = None

    def __attrs_post_init__(self) -> None:
        kind: object = self.kind
        problems = (
            []
            if isinstance(kind, ObligationKind)
            else [Problem("$.kind", "an ObligationKind", describe(kind))]
        )
        problems += text_problems(self.requirement, "$.requirement")
        if self.jurisdiction is not None:
            problems += jurisdiction_problems(self.jurisdiction, "$.jurisdiction")
        problems += optional_text_problems(self.source, "$.source")
        if problems:
            raise ValidationError(problems, subject="Obligation")


@attrs.frozen(kw_only=True)
class ProviderProfile:
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

    name: str
    categories_offered: frozenset[ServiceCategory] = attrs.field(converter=as_frozenset)
    jurisdictions: frozenset[str] = attrs.field(converter=as_frozenset)
    obligations: tuple[Obligation, ...] = attrs.field(default=(), converter=as_tuple)
    governed_suppliers: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)

    def __attrs_post_init__(self) -> None:
        problems = text_problems(self.name, "$.name")
        categories: object = self.categories_offered
        if (
            not isinstance(categories, frozenset)
            or not categories
            or not all(isinstance(c, ServiceCategory) for c in categories)
        ):
            problems.append(
                Problem(
                    "$.categories_offered",
                    "one or more ServiceCategory values",
                    describe(categories),
                )
            )
        problems += jurisdiction_set_problems(self.jurisdictions, "$.jurisdictions")
        obligations: object = self.obligations
        if not isinstance(obligations, tuple) or not all(
            isinstance(o, Obligation) for o in obligations
        ):
            problems.append(
                Problem("$.obligations", "a list of Obligation", describe(obligations))
            )
        problems += id_list_problems(
            self.governed_suppliers, "$.governed_suppliers", of="supplier"
        )
        if problems:
            raise ValidationError(problems, subject="ProviderProfile")

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
