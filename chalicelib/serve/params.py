"""The one parser of query parameters: every route reads its parameters through ``one_each``.

A route names the parameters it takes; anything else, a repeat or an oversized value is a
``BadParameter`` naming the parameter, with the same words on every route. The few parameters
that may be repeated (``repeated``) are taken out first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from chalicelib.errors import BadParameter
from chalicelib.serve.limits import LONG_VALUES, MAX_NAME_SHOWN, MAX_REPEATS, MAX_VALUE_LENGTH
from chalicelib.text import clip

Params = Mapping[str, list[str]]


def one_each(params: Params | None, allowed: Iterable[str], route: str) -> dict[str, str]:
    """Each given parameter's one value, or BadParameter for the first thing wrong.

    ``route`` names what is asked ('/people', 'this route') in the unknown-parameter message.
    """
    if not params:  # most requests: nothing to check, and this runs on every one
        return {}
    allowed = tuple(allowed)
    for name in sorted(params):
        if name not in allowed:
            takes = f"accepts {', '.join(allowed)}" if allowed else "takes no parameters"
            # Named as given, up to a point: a 100 KB name is not echoed back whole.
            raise BadParameter(clip(name, MAX_NAME_SHOWN), f"unknown parameter; {route} {takes}")
    one: dict[str, str] = {}
    for name, values in params.items():
        if isinstance(values, str):  # a single-valued mapping, e.g. Chalice's query_params
            values = [values]
        if len(values) > 1:
            raise BadParameter(name, "given more than once; give it at most once")
        if values:
            one[name] = values[0]
    for name, value in one.items():
        limit = LONG_VALUES.get(name, MAX_VALUE_LENGTH)
        if len(value) > limit:
            raise BadParameter(name, f"longer than {limit} characters")
    return one


def single(params: Params, name: str) -> str | None:
    """The one value of ``name`` (the other parameters are the route parser's business)."""
    if name not in params:
        return None
    return one_each({name: params[name]}, (name,), "this route").get(name)


def repeated(
    params: Params | None, names: Iterable[str]
) -> tuple[Params | None, dict[str, list[str]]]:
    """``params`` without ``names``, and each of ``names`` given with its values, in the order
    given and without repeats; BadParameter for more than ``MAX_REPEATS`` values, an empty one
    or an oversized one. ``one_each`` then reads the rest."""
    names = [name for name in names if params and name in params]
    if not names or params is None:
        return params, {}
    rest = {name: values for name, values in params.items() if name not in names}
    found: dict[str, list[str]] = {}
    for name in names:
        values = params[name]
        values = [values] if isinstance(values, str) else list(dict.fromkeys(values))
        if len(values) > MAX_REPEATS:
            raise BadParameter(name, f"given more than {MAX_REPEATS} times")
        for value in values:
            if len(value) > MAX_VALUE_LENGTH:
                raise BadParameter(name, f"longer than {MAX_VALUE_LENGTH} characters")
        found[name] = values
    return rest, found
