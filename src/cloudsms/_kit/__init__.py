"""Private kit the model is built with: field checks, the converter core, wire types.

The kit sits above the foundations (errors, units, money, periods, the lifecycle
core, reference) and below the model; it never imports the model, the procedures
or the edges. See docs/architecture.md.
"""
