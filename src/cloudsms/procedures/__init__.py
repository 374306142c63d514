"""Procedures: steps that move several model objects together, each an event on a lifecycle.

`release` (S05: release a tested service to live), `resource_change` (S11: carry out a
resource request as a standard change), `onboarding` (S08: from the onboarding plan to
the verification gate and delivery), `termination` (S13: the exit procedure, from the
notice to the written confirmation), `transfer` (S14: exports, cut-over and the
receiver's acceptance before the source's exit) and `removal` (S15: retiring a service
with all its subscriptions). S14 and S15 are designed by cloudsms: the source gives
their titles only. A procedure imports the model; the model never imports a procedure.
"""
