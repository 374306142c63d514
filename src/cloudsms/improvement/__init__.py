"""Continual improvement (S12): opportunities, their assessment, ranking and follow-up.

Serves S12 and ISO/IEC 20000-1:2011 4.5.5 (maintain and improve the SMS).
"""

from __future__ import annotations

from cloudsms.improvement._kinds import ImprovementArea, OpportunitySource

__all__ = ["ImprovementArea", "OpportunitySource"]
