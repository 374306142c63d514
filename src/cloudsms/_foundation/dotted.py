"""Dotted paths (``"package.module:attribute"``) resolved lazily, for the registries.

The lifecycle registry (`cloudsms.lifecycle.register_lifecycle`) and the document
registry (`cloudsms._kit.documents.register_document`) keep paths instead of
objects, so nothing is imported until a name is looked up; both resolve a path here.
"""

from __future__ import annotations

import importlib

__all__ = ["resolve"]


def resolve(path: str) -> tuple[object, str | None]:
    """The object at ``"module:attribute.attribute"``, or ``None`` and why it is not there.

    Examples:
        >>> resolve("cloudsms.errors:Problem")[0].__name__
        'Problem'
        >>> resolve("cloudsms.errors:Nothing")[1]
        "'cloudsms.errors:Nothing' names nothing: cloudsms.errors has no attribute 'Nothing'"
    """
    module_name, _, attributes = path.partition(":")
    try:
        found: object = importlib.import_module(module_name)
    except ImportError as exc:
        return None, f"{path!r} names a module that cannot be imported ({exc})"
    where = module_name
    for attribute in attributes.split("."):
        if not hasattr(found, attribute):
            return None, f"{path!r} names nothing: {where} has no attribute {attribute!r}"
        found = getattr(found, attribute)
        where = f"{where}.{attribute}"
    return found, None
