"""The learner's objects, as the trusted test code sees them.

Values cross the sandbox boundary as plain JSON. What the call server sends is decoded
here into plain Python values of trusted types only (``int``, ``str``, ``list``,
``datetime``, ``Decimal``, namedtuples, ``Counter`` ...), or into a :class:`RemoteHandle`
for anything else. A handle is the learner's object, left in the sandbox:

- It is never equal to plain data, and it is never asked: ``handle == 2`` is ``False``
  here without a call (trust rule 2). Ordering against plain data is a ``TypeError``.
- ``x in handle`` is decided here, from the values the object iterates over.
- Two learner objects compared with each other use the learner's class, because that
  is what such a test tests (``Clock(8, 0) + 3 == Clock(8, 3)``).
- Arithmetic, ``len``, ``bool``, ``hash``, indexing, iteration, attributes, calls and
  ``with`` are forwarded: the test passes its operand to learner code, as in a call.

Functions a test passes into learner code stay here: the learner's code gets a stub, and
calling it runs the function on the trusted side with decoded arguments.

Anything the sandbox sends that does not fit is a :class:`SandboxFault` (a ``crashed``
verdict), never another exception.
"""

from __future__ import annotations

import builtins
import collections
import datetime as dt
import decimal
import fractions
import types
from collections.abc import Callable
from typing import Any

from .channel import Channel, SandboxFault, SandboxOutputLimit

MAX_DEPTH = 100
MAX_CALLBACK_DEPTH = 20
MAX_NAME = 200

# Exceptions that steer control flow. Raised by learner code they would change what the
# test does (``StopIteration`` ends an ``all(map(...))`` early), so they never reach a
# test as themselves.
CONTROL_FLOW = frozenset(
    {"StopIteration", "StopAsyncIteration", "GeneratorExit", "KeyboardInterrupt", "SystemExit"}
)

# Builtin types a test may pass to learner code (``sorted_by(words, key=len)`` passes a
# function, ``convert(values, int)`` a type): sent by name, so learner code gets its own.
BUILTIN_TYPES = {
    t.__name__: t
    for t in (
        bool,
        int,
        float,
        complex,
        str,
        bytes,
        list,
        tuple,
        dict,
        set,
        frozenset,
        object,
        type,
    )
}
DEFAULT_FACTORIES = {t.__name__: t for t in (list, int, set, dict, str, float, tuple)}


class RemoteError(Exception):
    """An exception raised by learner code whose type is not a builtin exception."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name


class NotDefined(AssertionError):
    """A test used a name the learner's code does not define: their mistake, a failure."""


def builtin_exception(name: str) -> type[Exception] | None:
    """The builtin exception class of this name, unless it steers control flow."""
    if name in CONTROL_FLOW:
        return None
    exc_type = getattr(builtins, name, None)
    if (
        isinstance(exc_type, type)
        and issubclass(exc_type, Exception)
        and exc_type.__module__ == "builtins"
    ):
        return exc_type
    return None


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.isidentifier() or len(value) > MAX_NAME:
        raise SandboxFault("the sandbox sent an invalid name")
    return value


class ExceptionTypes:
    """Local stand-ins for the learner's exception classes, so that tests can write
    ``assertRaises(solution.TooCold)`` and ``except ValueError`` catches a learner's
    ``class TooCold(ValueError)``. Only names cross the boundary, never objects."""

    def __init__(self) -> None:
        self.types: dict[str, type[Exception]] = {}

    def define(self, name: str, base_name: str) -> type[Exception]:
        if name not in self.types:
            base = builtin_exception(base_name) or RemoteError
            self.types[name] = type(name, (base,), {"__module__": "solution"})
        return self.types[name]

    def build(self, error: Any) -> BaseException:
        """The exception a learner's error reply stands for (always an ``Exception``)."""
        if not isinstance(error, dict):
            raise SandboxFault("the sandbox sent a malformed error")
        name, message = error.get("type"), error.get("message", "")
        if not isinstance(message, str):
            raise SandboxFault("the sandbox sent a malformed error")
        name = _name(name)
        exc_type = self.types.get(name) or builtin_exception(name)
        if exc_type is None:
            bases = error.get("bases") or []
            if not isinstance(bases, list):
                raise SandboxFault("the sandbox sent a malformed error")
            base = next((b for b in bases if isinstance(b, str) and builtin_exception(b)), None)
            exc_type = self.define(name, base) if base else None
        exc: BaseException
        if exc_type is None or exc_type is RemoteError:
            exc = RemoteError(name, message)
        else:
            try:
                exc = exc_type(message)
            except Exception:  # noqa: BLE001 - exotic constructor signatures
                exc = RemoteError(name, message)
        exc._cr_from_sandbox = True  # type: ignore[attr-defined]
        return exc


class Session:
    """The channel, plus what the stand-ins share: captured output, the fatal fault,
    the learner's exception classes and the callbacks handed to learner code."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.fatal: SandboxFault | None = None
        self.stdout: list[str] = []
        self.exceptions = ExceptionTypes()
        self.callbacks: list[Callable[..., Any]] = []
        self.callback_failures: list[BaseException] = []
        self._next_id = 0
        self._ahead: tuple[dict[str, Any], int] | None = None  # sent, reply not read yet
        self._depth = 0
        self._namedtuples: dict[tuple[str, tuple[str, ...]], type] = {}

    # -- requests

    @property
    def requests_made(self) -> int:
        """How many requests were sent so far (learner code may run in any of them)."""
        return self._next_id

    def send(self, message: dict[str, Any]) -> int:
        """Send one request; its id. ``reply`` reads the answer."""
        if self.fatal:
            raise self.fatal
        self._next_id += 1
        try:
            self.channel.send({**message, "id": self._next_id})
        except SandboxFault as exc:
            self.fatal = self.fatal or exc
            raise self.fatal from None
        return self._next_id

    def send_ahead(self, message: dict[str, Any]) -> None:
        """Send ``message`` now, before the reply to the request before it is read;
        ``request`` given this very message later reads its reply instead of sending it
        again. The call server answers in order, so this saves a round trip."""
        self._ahead = (message, self.send(message))

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one request (unless it was sent ahead) and return its reply, answering
        callbacks on the way."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] is message:
            return self.reply(ahead[1])
        if ahead is not None:
            raise RuntimeError("a request sent ahead was never read")  # a bug of ours
        return self.reply(self.send(message))

    def reply(self, rid: int) -> dict[str, Any]:
        """The reply to request ``rid``, answering callbacks on the way.

        A reply must carry the id of the request; anything else is forged.
        """
        if self.fatal:
            raise self.fatal
        try:
            while True:
                reply = self.channel.receive()
                if "callback" in reply:
                    self._answer_callback(reply)
                    continue
                if reply.get("id") != rid or type(reply.get("ok")) is not bool:
                    raise SandboxFault("the sandbox sent a reply to no request")
                out = reply.get("stdout", "")
                if not isinstance(out, str):
                    raise SandboxFault("the sandbox sent malformed output")
                if out:
                    self.stdout.append(out)
                if reply.get("stdout_truncated"):
                    raise SandboxOutputLimit("output limit exceeded")
                return reply
        except SandboxFault as exc:
            self.fatal = self.fatal or exc
            raise self.fatal from None

    def call(self, message: dict[str, Any]) -> Any:
        """A request whose reply is a value or a learner's exception."""
        reply = self.request(message)
        if not reply["ok"]:
            try:
                exc = self.exceptions.build(reply.get("error"))
            except SandboxFault as fault:
                self.fatal = self.fatal or fault
                raise self.fatal from None
            raise exc
        return self.decode_reply(reply.get("value"))

    def decode_reply(self, value: Any) -> Any:
        try:
            return self.decode(value)
        except SandboxFault as exc:
            self.fatal = self.fatal or exc
            raise self.fatal from None
        except (
            TypeError,
            ValueError,
            KeyError,
            OverflowError,
            ArithmeticError,
            RecursionError,
            decimal.InvalidOperation,
        ) as exc:
            self.fatal = self.fatal or SandboxFault(
                f"the sandbox sent a malformed value ({type(exc).__name__})"
            )
            raise self.fatal from None

    # -- callbacks: learner code calling a function the test gave it

    def _answer_callback(self, message: dict[str, Any]) -> None:
        index = message.get("callback")
        if type(index) is not int or not 0 <= index < len(self.callbacks):
            raise SandboxFault("the sandbox called a function it was never given")
        if self._depth >= MAX_CALLBACK_DEPTH:
            raise SandboxFault("callbacks nested too deeply")
        args = self.decode_reply(message.get("args", []))
        kwargs = self.decode_reply(message.get("kwargs", {}))
        if (
            not isinstance(args, list)
            or not isinstance(kwargs, dict)
            or not all(isinstance(k, str) for k in kwargs)
        ):
            raise SandboxFault("the sandbox sent malformed callback arguments")
        self._depth += 1
        try:
            value = self.callbacks[index](*args, **kwargs)
            answer = {"callback_result": True, "ok": True, "value": self.encode(value)}
        except SandboxFault:
            raise
        except Exception as exc:  # noqa: BLE001 - the test's function failed: tell the caller
            if isinstance(exc, AssertionError):
                # A check inside a callback fails the test even if learner code swallows it.
                self.callback_failures.append(exc)
            name = type(exc).__name__ if builtin_exception(type(exc).__name__) else "RuntimeError"
            answer = {
                "callback_result": True,
                "ok": False,
                "error": {"type": name, "message": str(exc)[:500]},
            }
        finally:
            self._depth -= 1
        self.channel.send(answer)

    # -- values out: what the test sends to learner code

    def encode(self, value: Any, depth: int = 0) -> Any:
        """A trusted value as JSON for the sandbox. Raises TypeError for what cannot go."""
        if depth > MAX_DEPTH:
            raise ValueError("value nested too deeply to send to the learner's code")
        t = type(value)
        if isinstance(value, RemoteHandle):
            return {"__t": "handle", "id": value._cr_id}
        if value is None or t in (bool, int, str):
            return value
        if t is float:
            return (
                value
                if value == value and abs(value) != float("inf")
                else {"__t": "float", "v": repr(value)}
            )
        if t is list:
            return [self.encode(v, depth + 1) for v in value]
        if t is dict:
            if all(type(k) is str and k != "__t" for k in value):
                return {k: self.encode(v, depth + 1) for k, v in value.items()}
            return {"__t": "dict", "v": self._pairs(value, depth)}
        tagged = self._encode_tagged(value, depth)
        if tagged is not None:
            return tagged
        if (
            isinstance(value, type)
            and value.__name__ in BUILTIN_TYPES
            and BUILTIN_TYPES[value.__name__] is value
        ):
            return {"__t": "builtin", "name": value.__name__}
        if callable(value) and not isinstance(value, type):
            self.callbacks.append(value)
            return {"__t": "callback", "id": len(self.callbacks) - 1}
        raise TypeError(f"cannot send a {t.__name__} to the learner's code")

    def _pairs(self, mapping: dict, depth: int) -> list:
        return [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in mapping.items()]

    def _encode_tagged(self, value: Any, depth: int) -> dict | None:
        t = type(value)
        if t is tuple:
            return {"__t": "tuple", "v": [self.encode(v, depth + 1) for v in value]}
        if isinstance(value, tuple) and hasattr(t, "_fields"):
            return {
                "__t": "namedtuple",
                "name": t.__name__,
                "fields": list(t._fields),
                "v": [self.encode(v, depth + 1) for v in value],
            }
        if t in (set, frozenset):
            return {"__t": t.__name__, "v": [self.encode(v, depth + 1) for v in value]}
        if t is bytes:
            return {"__t": "bytes", "v": value.hex()}
        if t is complex:
            return {"__t": "complex", "v": [repr(value.real), repr(value.imag)]}
        if t is collections.Counter or t is collections.OrderedDict:
            return {"__t": t.__name__.lower(), "v": self._pairs(value, depth)}
        if t is collections.defaultdict:
            factory = value.default_factory
            name = factory.__name__ if factory in DEFAULT_FACTORIES.values() else None
            return {"__t": "defaultdict", "factory": name, "v": self._pairs(value, depth)}
        if t is dt.datetime or t is dt.date or t is dt.time:
            return {"__t": t.__name__, "v": value.isoformat()}
        if t is dt.timedelta:
            return {"__t": "timedelta", "v": [value.days, value.seconds, value.microseconds]}
        if t is decimal.Decimal:
            return {"__t": "decimal", "v": str(value)}
        if t is fractions.Fraction:
            return {"__t": "fraction", "v": [value.numerator, value.denominator]}
        return None

    # -- values in: what learner code sends back

    def decode(self, value: Any, depth: int = 0) -> Any:
        """A JSON value from the sandbox as a trusted plain value or a handle."""
        if depth > MAX_DEPTH:
            raise SandboxFault("the sandbox sent a value nested too deeply")
        if value is None or type(value) in (bool, int, float, str):
            return value
        if type(value) is list:
            return [self.decode(v, depth + 1) for v in value]
        if type(value) is not dict:
            raise SandboxFault("the sandbox sent a malformed value")
        tag = value.get("__t")
        if tag is None:
            return {k: self.decode(v, depth + 1) for k, v in value.items()}
        decoder = _DECODERS.get(tag) if isinstance(tag, str) else None
        if decoder is None:
            raise SandboxFault("the sandbox sent a value of an unknown kind")
        return decoder(self, value, depth + 1)

    def _items(self, value: dict, depth: int) -> list:
        inner = value.get("v")
        if type(inner) is not list:
            raise SandboxFault("the sandbox sent a malformed value")
        return [self.decode(v, depth) for v in inner]

    def _pairs_in(self, value: dict, depth: int) -> list[tuple[Any, Any]]:
        pairs = []
        for pair in self._items(value, depth):
            if type(pair) is not list or len(pair) != 2:
                raise SandboxFault("the sandbox sent a malformed mapping")
            pairs.append((pair[0], pair[1]))
        return pairs

    def _namedtuple(self, value: dict, depth: int) -> tuple:
        name = _name(value.get("name"))
        fields = value.get("fields")
        if type(fields) is not list or len(fields) > 255:
            raise SandboxFault("the sandbox sent a malformed namedtuple")
        key = (name, tuple(_name(f) for f in fields))
        cls = self._namedtuples.get(key)
        if cls is None:
            cls = self._namedtuples[key] = collections.namedtuple(name, key[1])
        items = self._items(value, depth)
        if len(items) != len(fields):
            raise SandboxFault("the sandbox sent a malformed namedtuple")
        return cls(*items)

    def _handle(self, value: dict, depth: int) -> RemoteHandle:
        hid, type_name = value.get("id"), value.get("type", "object")
        if type(hid) is not int or not isinstance(type_name, str):
            raise SandboxFault("the sandbox sent a malformed object reference")
        return RemoteHandle(self, hid, type_name[:MAX_NAME])

    def _callback(self, value: dict, depth: int) -> Any:
        index = value.get("id")
        if type(index) is not int or not 0 <= index < len(self.callbacks):
            raise SandboxFault("the sandbox sent a function it was never given")
        return self.callbacks[index]

    def _string(self, value: dict) -> str:
        inner = value.get("v")
        if not isinstance(inner, str) or len(inner) > 1000:
            raise SandboxFault("the sandbox sent a malformed value")
        return inner

    def _ints(self, value: dict, count: int) -> list[int]:
        inner = value.get("v")
        if type(inner) is not list or len(inner) != count or any(type(i) is not int for i in inner):
            raise SandboxFault("the sandbox sent a malformed value")
        return inner


def _float(text: str) -> float:
    if text not in ("nan", "inf", "-inf"):
        raise SandboxFault("the sandbox sent a malformed number")
    return float(text)


def _complex(s: Session, v: dict, d: int) -> complex:
    parts = v.get("v")
    if (
        type(parts) is not list
        or len(parts) != 2
        or not all(isinstance(p, str) and len(p) < 40 for p in parts)
    ):
        raise SandboxFault("the sandbox sent a malformed number")
    return complex(float(parts[0]), float(parts[1]))


def _defaultdict(s: Session, v: dict, d: int) -> collections.defaultdict:
    factory = v.get("factory")
    if factory is not None and factory not in DEFAULT_FACTORIES:
        raise SandboxFault("the sandbox sent a malformed mapping")
    result: collections.defaultdict = collections.defaultdict(
        DEFAULT_FACTORIES[factory] if factory else None
    )
    result.update(s._pairs_in(v, d))
    return result


def _fraction(s: Session, v: dict, d: int) -> fractions.Fraction:
    num, den = s._ints(v, 2)
    if den == 0:
        raise SandboxFault("the sandbox sent a malformed number")
    return fractions.Fraction(num, den)


def _builtin(s: Session, v: dict, d: int) -> type:
    name = v.get("name")
    if name not in BUILTIN_TYPES:
        raise SandboxFault("the sandbox sent an unknown type")
    return BUILTIN_TYPES[name]


_DECODERS: dict[str, Callable[[Session, dict, int], Any]] = {
    "tuple": lambda s, v, d: tuple(s._items(v, d)),
    "set": lambda s, v, d: set(s._items(v, d)),
    "frozenset": lambda s, v, d: frozenset(s._items(v, d)),
    "dict": lambda s, v, d: dict(s._pairs_in(v, d)),
    "counter": lambda s, v, d: collections.Counter(dict(s._pairs_in(v, d))),
    "ordereddict": lambda s, v, d: collections.OrderedDict(s._pairs_in(v, d)),
    "defaultdict": _defaultdict,
    "namedtuple": Session._namedtuple,
    "bytes": lambda s, v, d: bytes.fromhex(_hex(v)),
    "float": lambda s, v, d: _float(s._string(v)),
    "complex": _complex,
    "datetime": lambda s, v, d: dt.datetime.fromisoformat(s._string(v)),
    "date": lambda s, v, d: dt.date.fromisoformat(s._string(v)),
    "time": lambda s, v, d: dt.time.fromisoformat(s._string(v)),
    "timedelta": lambda s, v, d: dt.timedelta(*s._ints(v, 3)),
    "decimal": lambda s, v, d: decimal.Decimal(s._string(v)),
    "fraction": _fraction,
    "handle": Session._handle,
    "callback": Session._callback,
    "builtin": _builtin,
}


def _hex(value: dict) -> str:
    inner = value.get("v")
    if not isinstance(inner, str):
        raise SandboxFault("the sandbox sent malformed bytes")
    return inner


def _is_learners(value: Any) -> bool:
    return isinstance(value, RemoteHandle)


class RemoteHandle:
    """An object that lives in the sandbox (see the module docstring for the rules)."""

    __slots__ = ("_cr_session", "_cr_id", "_cr_type")

    def __init__(self, session: Session, target: int | str, type_name: str) -> None:
        object.__setattr__(self, "_cr_session", session)
        object.__setattr__(self, "_cr_id", target)
        object.__setattr__(self, "_cr_type", type_name)

    # -- forwarding helpers

    def _cr_op(self, name: str, *args: Any) -> Any:
        session = self._cr_session
        return session.call(
            {
                "op": "op",
                "target": self._cr_id,
                "name": name,
                "args": [session.encode(a) for a in args],
            }
        )

    def _cr_binary(self, name: str, other: Any) -> Any:
        try:
            self._cr_session.encode(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._cr_op(name, other)

    def _cr_compare(self, name: str, other: Any) -> Any:
        """Comparisons: only with another learner object, answered by the learner's
        class; never with plain data (the test's expected value stays here)."""
        if not _is_learners(other) or other._cr_session is not self._cr_session:
            return NotImplemented
        return self._cr_op(name, other)

    # -- attributes and calls

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._cr_session.call({"op": "getattr", "target": self._cr_id, "attr": name})

    def __setattr__(self, name: str, value: Any) -> None:
        session = self._cr_session
        session.call(
            {"op": "setattr", "target": self._cr_id, "attr": name, "value": session.encode(value)}
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        session = self._cr_session
        return session.call(
            {
                "op": "call",
                "target": self._cr_id,
                "args": [session.encode(a) for a in args],
                "kwargs": {k: session.encode(v) for k, v in kwargs.items()},
            }
        )

    def __instancecheck__(self, instance: Any) -> bool:
        # isinstance(obj, solution.Clock): a question about two learner objects.
        if not _is_learners(instance):
            return False
        return (
            self._cr_session.call(
                {
                    "op": "isinstance",
                    "target": self._cr_id,
                    "value": self._cr_session.encode(instance),
                }
            )
            is True
        )

    # -- text

    def __repr__(self) -> str:
        try:
            value = self._cr_op("repr")
        except Exception:  # noqa: BLE001 - a message must still be written
            value = None
        if isinstance(value, str):
            return value[:1000]
        return f"<{self._cr_type} object from your code>"

    def __str__(self) -> str:
        value = self._cr_op("str")
        if not isinstance(value, str):
            raise TypeError("str() of your object did not give a str")
        return value

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    # -- comparisons

    def __eq__(self, other: object) -> Any:
        return self._cr_compare("eq", other)

    def __ne__(self, other: object) -> Any:
        return self._cr_compare("ne", other)

    def __lt__(self, other: object) -> Any:
        return self._cr_compare("lt", other)

    def __le__(self, other: object) -> Any:
        return self._cr_compare("le", other)

    def __gt__(self, other: object) -> Any:
        return self._cr_compare("gt", other)

    def __ge__(self, other: object) -> Any:
        return self._cr_compare("ge", other)

    def __hash__(self) -> int:
        value = self._cr_op("hash")
        if type(value) is not int:
            raise TypeError("hash() of your object did not give an int")
        return value

    # -- containers

    def __bool__(self) -> bool:
        value = self._cr_op("bool")
        if type(value) is not bool:
            raise TypeError("bool() of your object did not give True or False")
        return value

    def __len__(self) -> int:
        value = self._cr_op("len")
        if type(value) is not int or value < 0:
            raise TypeError("len() of your object did not give a whole number")
        return value

    def __iter__(self) -> Any:
        values = self._cr_op("iter")
        if type(values) is not list:
            raise TypeError("iterating over your object did not give values")
        return iter(values)

    def __next__(self) -> Any:
        reply = self._cr_session.request({"op": "next", "target": self._cr_id})
        if reply["ok"] and reply.get("exhausted") is True:
            raise StopIteration
        if not reply["ok"]:
            raise self._cr_session.exceptions.build(reply.get("error"))
        return self._cr_session.decode_reply(reply.get("value"))

    def __contains__(self, item: Any) -> bool:
        # Decided here, from the object's values: `item` never enters the sandbox.
        return any(v is item or v == item for v in self.__iter__())

    def __getitem__(self, key: Any) -> Any:
        return self._cr_op("getitem", key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._cr_op("setitem", key, value)

    def __delitem__(self, key: Any) -> None:
        self._cr_op("delitem", key)

    # -- numbers

    def _cr_number(self, name: str, kind: type) -> Any:
        value = self._cr_op(name)
        if type(value) is not kind:
            raise TypeError(f"{name}() of your object did not give a {kind.__name__}")
        return value

    def __int__(self) -> int:
        return self._cr_number("int", int)

    def __index__(self) -> int:
        return self._cr_number("index", int)

    def __float__(self) -> float:
        return self._cr_number("float", float)

    def __neg__(self) -> Any:
        return self._cr_op("neg")

    def __pos__(self) -> Any:
        return self._cr_op("pos")

    def __abs__(self) -> Any:
        return self._cr_op("abs")

    def __invert__(self) -> Any:
        return self._cr_op("invert")

    def __round__(self, ndigits: int | None = None) -> Any:
        return self._cr_op("round", ndigits)

    # -- with

    def __enter__(self) -> Any:
        return self._cr_op("enter")

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        error = None
        if exc is not None:
            name = exc_type.__name__ if builtin_exception(exc_type.__name__) else "Exception"
            error = [name, str(exc)[:500]]
        suppress = self._cr_session.call({"op": "exit", "target": self._cr_id, "error": error})
        # Learner code may swallow its own exceptions, never the test's failures.
        return suppress is True and bool(getattr(exc, "_cr_from_sandbox", False))


def _binary(name: str) -> Callable[[RemoteHandle, Any], Any]:
    def method(self: RemoteHandle, other: Any) -> Any:
        return self._cr_binary(name, other)

    method.__name__ = f"__{name}__"
    return method


for _op in (
    "add",
    "sub",
    "mul",
    "truediv",
    "floordiv",
    "mod",
    "pow",
    "matmul",
    "lshift",
    "rshift",
    "and",
    "or",
    "xor",
):
    setattr(RemoteHandle, f"__{_op}__", _binary(_op))
    setattr(RemoteHandle, f"__r{_op}__", _binary(f"r{_op}"))


class Missing:
    """What ``from solution import add`` gives when the learner's code has no ``add``:
    the import works, and each test that uses the name fails with a clear message."""

    def __init__(self, name: str) -> None:
        self._name = name

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise NotDefined(f"Your code does not define `{self._name}`.")

    __call__ = __iter__ = __len__ = __getitem__ = __bool__ = __str__ = _fail

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self._fail()

    def __repr__(self) -> str:
        return f"<{self._name}: not defined in your code>"

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _fail
    __hash__ = object.__hash__


class Placeholder:
    """Stands in for every name of the learner's module while the tests are planned,
    before any learner code runs: it absorbs whatever module-level test code does."""

    def __call__(self, *args: Any, **kwargs: Any) -> Placeholder:
        return self

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __getitem__(self, key: Any) -> Placeholder:
        return self

    def __iter__(self) -> Any:
        return iter(())


class SolutionModule(types.ModuleType):
    """Stands in for the learner's module inside the trusted test modules.

    With no session it is the planning stand-in (every name a :class:`Placeholder`).
    ``star_names`` limits ``from solution import *`` to the names the problem's reference
    solution defines, so learner code cannot shadow a name the test module holds
    (``len``, ``isclose``, ``unittest``).
    """

    def __init__(
        self, session: Session | None, names: dict[str, str], star_names: list[str] | None = None
    ) -> None:
        super().__init__("solution")
        self._cr_session = session
        self._cr_names = names
        self.__all__ = [n for n in (star_names or []) if n in names]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        session = self.__dict__["_cr_session"]
        if session is None:
            return Placeholder()
        kind = self.__dict__["_cr_names"].get(name)
        if kind is None:
            return Missing(name)
        if kind.startswith("exception:"):
            return session.exceptions.define(name, kind.partition(":")[2])
        if kind in ("function", "class"):
            return RemoteHandle(session, name, kind)
        return session.call({"op": "getattr", "target": None, "attr": name})


def check_names(names: Any) -> dict[str, str]:
    """The name → kind table of a ``load`` reply, validated."""
    if not isinstance(names, dict) or len(names) > 10000:
        raise SandboxFault("the sandbox sent a malformed list of names")
    table = {}
    for name, kind in names.items():
        if not isinstance(kind, str) or not (
            kind in ("function", "class", "value") or kind.startswith("exception:")
        ):
            raise SandboxFault("the sandbox sent a malformed list of names")
        table[_name(name)] = kind
    return table
