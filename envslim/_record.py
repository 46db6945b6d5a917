"""``@dataclass`` for the modules on the hook path, without importing :mod:`dataclasses`.

``import dataclasses`` pulls in inspect, ast, dis, tokenize and friends, and each class it builds costs
about a millisecond: together some 40 ms of the ~200 ms that ``envslim rewrite --check`` takes
(bench/bench_hook.py, Python 3.11). The modules that ``rewrite`` imports (envfile, rules, plan, config,
knowledge, footprint) declare their records with this module instead; the rest of envslim uses the
standard library.

It builds what those modules use, the way :mod:`dataclasses` builds it: an ``__init__`` taking the
annotated fields in order (defaults, ``field(default=...)``, ``field(default_factory=...)``), ``__repr__``,
``__eq__`` comparing the fields of two instances of the same class, and with ``frozen=True`` an
assignment that raises :class:`FrozenInstanceError` and a hash of the fields (``__hash__`` is None
otherwise). :func:`replace` copies an instance with some fields changed. Anything else (inheriting
fields, ``ClassVar``, ``order``, ``slots``) is refused at class creation rather than half supported.
"""

from __future__ import annotations

from operator import attrgetter

__all__ = ["FrozenInstanceError", "dataclass", "field", "fields", "replace"]

_MISSING = object()


class FrozenInstanceError(AttributeError):
    """An assignment to a field of a frozen record."""


class _Field:
    __slots__ = ("default", "default_factory")

    def __init__(self, default, default_factory) -> None:
        self.default = default
        self.default_factory = default_factory


def field(*, default=_MISSING, default_factory=_MISSING):
    if default is not _MISSING and default_factory is not _MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return _Field(default, default_factory)


def fields(obj_or_class) -> tuple[str, ...]:
    """The field names, in order."""
    return obj_or_class.__record_fields__


def replace(obj, **changes):
    """A copy of ``obj`` with ``changes`` (field name -> new value)."""
    for name in changes:
        if name not in obj.__record_fields__:
            raise TypeError(f"{type(obj).__qualname__} has no field {name!r}")
    return type(obj)(**{name: changes.get(name, getattr(obj, name)) for name in obj.__record_fields__})


def dataclass(cls=None, /, *, frozen: bool = False):
    def wrap(cls):
        return _build(cls, frozen)

    return wrap if cls is None else wrap(cls)


def _build(cls, frozen: bool):
    if any("__record_fields__" in vars(base) or "__dataclass_fields__" in vars(base) for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__qualname__}: inheriting fields is not supported")
    names = tuple(cls.__dict__.get("__annotations__", {}))
    scope: dict = {"_MISSING": _MISSING}
    params, body = [], []
    for name in names:
        annotation = cls.__annotations__[name]
        if "ClassVar" in str(annotation) or "InitVar" in str(annotation):
            raise TypeError(f"{cls.__qualname__}.{name}: ClassVar and InitVar are not supported")
        value = cls.__dict__.get(name, _MISSING)
        factory = _MISSING
        if isinstance(value, _Field):
            value, factory = value.default, value.default_factory
            if value is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, value)
        if isinstance(value, (list, dict, set)):
            raise ValueError(f"mutable default {type(value)} for field {name} is not allowed: use default_factory")
        if factory is not _MISSING:
            scope[f"_factory_{name}"] = factory
            params.append(f"{name}=_MISSING")
            expr = f"_factory_{name}() if {name} is _MISSING else {name}"
        elif value is not _MISSING:
            scope[f"_default_{name}"] = value
            params.append(f"{name}=_default_{name}")
            expr = name
        else:
            if params and "=" in params[-1]:
                raise TypeError(f"non-default argument {name!r} follows default argument")
            params.append(name)
            expr = name
        body.append(f"    _d[{name!r}] = {expr}" if frozen else f"    self.{name} = {expr}")
    if frozen and body:  # (the fields go straight into the instance's dict: its __setattr__ refuses them)
        body.insert(0, "    _d = self.__dict__")
    source = f"def __init__(self, {', '.join(params)}):\n{chr(10).join(body) or '    pass'}\n"

    # The __init__ is compiled when the first record is made, not when the class is: each compile costs
    # about 0.1 ms, and a run of the hook declares some 28 records and makes only a few of them.
    def __init__(self, *args, **kwargs):
        if cls.__init__ is __init__:
            exec(source, scope)
            init = scope["__init__"]
            init.__qualname__ = f"{cls.__qualname__}.__init__"
            cls.__init__ = init
        cls.__init__(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    if len(names) > 1:
        _values = attrgetter(*names)  # (a tuple of the fields)
    else:
        _values = (lambda self: (getattr(self, names[0]),)) if names else (lambda self: ())
    cls.__init__ = __init__
    cls.__record_fields__ = names

    def __repr__(self):
        return f"{type(self).__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return _values(self) == _values(other)
        return NotImplemented

    cls.__repr__ = __repr__
    cls.__eq__ = __eq__
    if frozen:
        def __setattr__(self, name, value):
            raise FrozenInstanceError(f"cannot assign to field {name!r}")

        def __delattr__(self, name):
            raise FrozenInstanceError(f"cannot delete field {name!r}")

        cls.__setattr__ = __setattr__
        cls.__delattr__ = __delattr__
        cls.__hash__ = lambda self: hash(_values(self))
    else:
        cls.__hash__ = None
    return cls
