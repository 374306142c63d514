"""Procedures: steps that move several model objects together, each an event on a lifecycle.

`release` (S05: release a tested service to live) is here now; onboarding (S08),
termination (S13, the exit procedure), transfer (S14) and removal (S15) follow.
A procedure imports the model; the model never imports a procedure.
"""
