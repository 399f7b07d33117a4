"""The checks' tests: strict JSON intake and the validator, record by record and across
records. The rule cases they share with the schema tests are in ``support.rulecases``.
"""
