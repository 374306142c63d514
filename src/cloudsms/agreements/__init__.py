"""Cloud service agreements and their SLAs (S07): targets, credits, terms.

Serves S07 (establish a cloud service agreement) and ISO/IEC 20000-1:2011 6.1
(service level management): what a provider and a customer agree, in a form a
billing system, a monitoring job and an auditor read the same way. The parts live
in submodules: `targets` (metrics, service targets and how they are judged),
`credits` (credit tiers and the credit a breach earns) and `terms` (termination,
exit, responsibilities, priorities, legal terms, resource limits, notices).
"""
