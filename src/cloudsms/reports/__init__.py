"""Reports for people: display tables of model values (DataFrames and plots later).

An edge of the package: the model returns data, a report formats it.
"""
