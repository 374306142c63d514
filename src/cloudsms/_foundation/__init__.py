"""Private helpers the foundations share: exact numbers, instants, strict JSON, suggestions.

Every layer may import these modules; they import nothing of cloudsms but `errors`.
"""
