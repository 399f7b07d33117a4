"""The model's tests: the kinds registry, the JSON Schemas and EDTF dates, with no I/O.

The rule cases the schemas and the validator share are in ``support.rulecases``.
"""
