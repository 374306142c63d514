"""Procedures: steps that move several model objects together, each an event on a lifecycle.

`release` (S05: release a tested service to live), `resource_change` (S11: carry out a
resource request as a standard change) and `termination` (S13: the exit procedure,
from the notice to the written confirmation) are here now; onboarding (S08),
transfer (S14) and removal (S15) follow.
A procedure imports the model; the model never imports a procedure.
"""
