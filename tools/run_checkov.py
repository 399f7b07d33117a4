"""checkov's command line, with its JSONPath parser built once instead of once per expression.

Run with checkov's own interpreter (``.checkov-venv/bin/python tools/run_checkov.py <checkov
arguments>``): ``make package`` and tests/project/test_package.py do. The arguments, the checks,
the findings and the exit status are checkov's.

Why: checkov's graph renders every ``Fn::Sub`` of the template through bc_jsonpath_ng, which
builds PLY's LALR tables anew for each expression it parses (it never writes them to disk). Our
template holds the API's whole OpenAPI definition, so one scan built those tables hundreds of
times, and that was nearly all of checkov's time. The tables depend only on the grammar (the
parser's class and start symbol), and the grammar's actions read no state of the parser object,
so one parser per class and thread gives the same trees.
"""

from __future__ import annotations

import sys
import threading
import types
import warnings

import ply.yacc
from bc_jsonpath_ng import parser as jsonpath_parser

_built = threading.local()


def _yacc_once(*, module, start, **options):
    """``ply.yacc.yacc`` for bc_jsonpath_ng, kept per parser class and start symbol."""
    key = (type(module), start)
    parsers = _built.__dict__
    if key not in parsers:
        parsers[key] = ply.yacc.yacc(module=module, start=start, **options)
    return parsers[key]


# bc_jsonpath_ng reaches yacc as ``ply.yacc.yacc`` through its module's own ``ply`` name: only
# that name is replaced, so any other user of PLY builds its tables as before.
jsonpath_parser.ply = types.SimpleNamespace(yacc=types.SimpleNamespace(yacc=_yacc_once))

if __name__ == "__main__":
    from checkov.main import Checkov

    with warnings.catch_warnings():  # as checkov's own entry point runs it
        warnings.simplefilter("ignore", category=SyntaxWarning)
        sys.exit(Checkov().run())
