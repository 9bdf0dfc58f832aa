"""The call server that runs inside a grading sandbox.

This file is sent to the sandbox as the argument of ``python -c`` and must only use the
standard library. It loads the learner's code as a module and answers calls on it, one
JSON request per line on stdin, one JSON reply per line on stdout. It never sees a test
or an expected value: the trusted runner makes the calls and judges the answers outside
this container.

Everything here runs in the same process as the learner's code, so nothing it says is
trusted: the runner treats every reply as a value the learner chose to send. Encoding
honestly (subclasses of plain types as their plain value, standard-library value types
by value) is only so that honest solutions compare as values on the trusted side.

While learner code runs, it may call a function the test passed in: that sends a
``callback`` message and serves requests until the trusted side sends the result.
"""

import _operator as operator
import builtins
import io
import math
import os
import sys

# A sandbox is started for every submission, and each module imported here is paid for
# by every one of them. collections, datetime, decimal and fractions are imported only
# when needed: a value can only be of one of their types once the learner's code has
# imported the module, so the encoder looks them up in sys.modules (``_loaded``). JSON
# goes through ``_json``, the C half of ``json`` (``json_codec``), and ``site`` is left
# out (``python -S``) and stood in for (``site_lite``).
ModuleType = type(sys)


def site_lite():
    """What ``site`` does that learner code can notice, without its cost (about 4 ms a
    sandbox, most of it setuptools' distutils hack): the packages of the interpreter's
    venv (or of the system) on the path, with the folders their ``.pth`` files name
    (their ``import`` lines are skipped), the venv's ``sys.prefix``, and the builtins
    ``exit``, ``quit``, ``help``, ``copyright``, ``credits`` and ``license``."""
    import _sitebuiltins

    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    venv = os.path.dirname(os.path.dirname(sys.executable))
    if os.path.isfile(os.path.join(venv, "pyvenv.cfg")):
        sys.prefix = sys.exec_prefix = venv
        candidates = [os.path.join(venv, "lib", version, "site-packages")]
    else:
        candidates = [
            os.path.join(sys.prefix, "local", "lib", version, "dist-packages"),
            os.path.join(sys.prefix, "lib", "python3", "dist-packages"),
            os.path.join(sys.prefix, "lib", version, "site-packages"),
        ]
    for folder in candidates:
        if not os.path.isdir(folder) or folder in sys.path:
            continue
        sys.path.append(folder)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".pth"):
                continue
            try:
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    lines = f.read().splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for line in lines:
                line = line.strip()
                if not line or line.startswith(("#", "import ", "import\t")):
                    continue
                path = os.path.join(folder, line)
                if os.path.isdir(path) and path not in sys.path:
                    sys.path.append(path)
    eof = "Ctrl-D (i.e. EOF)"
    builtins.quit = _sitebuiltins.Quitter("quit", eof)
    builtins.exit = _sitebuiltins.Quitter("exit", eof)
    builtins.help = _sitebuiltins._Helper()
    builtins.copyright = _sitebuiltins._Printer("copyright", sys.copyright)
    builtins.credits = _sitebuiltins._Printer(
        "credits",
        "Thanks to CWI, CNRI, BeOpen.com, Zope Corporation and a cast of thousands\n"
        "for supporting Python development.  See www.python.org for more information.",
    )
    builtins.license = _sitebuiltins._Printer("license", "See https://www.python.org/psf/license/")


if sys.flags.no_site:
    site_lite()


def json_codec():
    """``dumps`` and ``loads`` on the C accelerator that ``json`` itself uses: importing
    ``json`` costs a sandbox about 5 ms, as its Python half compiles regular expressions.
    Falls back to ``json`` when this Python's accelerator does not answer as expected."""
    probe = {"a": [1, -2.5, "\u00e9\u202e\U0001f600", None, True, {"b": []}], "c": 1e300}
    try:
        import _json

        class Context:
            strict = True
            object_hook = None
            object_pairs_hook = None
            parse_float = float
            parse_int = int
            parse_constant = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
            parse_constant = parse_constant.__getitem__

        scan = _json.make_scanner(Context)
        escape = _json.encode_basestring_ascii

        def not_json(value):
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

        # One encoder for every message, without json's check for cycles (markers None):
        # messages are built afresh by ``encode``, at most MAX_DEPTH deep, never cyclic.
        encoder = _json.make_encoder(None, not_json, escape, None, ":", ",", False, False, True)

        def dumps(value):
            return "".join(encoder(value, 0))

        def loads(text):
            start = len(text) - len(text.lstrip(" \t\n\r"))
            try:
                value, end = scan(text, start)
            except StopIteration:
                raise ValueError("not a JSON value") from None
            if text[end:].strip(" \t\n\r"):
                raise ValueError("extra data after the JSON value")
            return value

        if loads(dumps(probe) + "\n") == probe:
            return dumps, loads
    except Exception:  # noqa: BLE001 - another Python: the standard module does it
        pass
    import json

    return json.dumps, json.loads


dumps, loads = json_codec()

PROTOCOL_OUT = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
PROTOCOL_IN = os.fdopen(os.dup(0), "r", encoding="utf-8")
MAX_CAPTURE = int(os.environ.get("CODERUNNER_MAX_OUTPUT_BYTES", "65536"))
MAX_DEPTH = 50

# Learner prints go to a capture buffer, never to the protocol stream.
devnull = os.open(os.devnull, os.O_RDWR)
os.dup2(devnull, 0)
os.dup2(devnull, 1)


class OutputLimitExceeded(BaseException):
    """Raised into the learner's code when it prints past the cap, so a print loop ends
    with an output-limit verdict instead of running into the time limit."""


class CappedWriter(io.TextIOBase):
    """A text sink that keeps at most MAX_CAPTURE characters and remembers it was cut."""

    def __init__(self):
        self.parts = []
        self.size = 0
        self.truncated = False

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str")
        room = MAX_CAPTURE - self.size
        if len(s) > room:
            self.truncated = True
            s = s[: max(room, 0)]
        if s:
            self.parts.append(s)
            self.size += len(s)
        if self.truncated:
            raise OutputLimitExceeded(f"printed more than {MAX_CAPTURE} characters")
        return len(s)

    def take(self):
        text, cut = "".join(self.parts), self.truncated
        self.parts, self.size, self.truncated = [], 0, False
        return text, cut


capture = CappedWriter()
sys.stdout = capture
sys.stderr = capture


def quiet_input(prompt=""):
    """input() without its prompt: a program's output is what it prints, and the
    prompt ("How old are you? ") is not part of it."""
    line = sys.stdin.readline()
    if not line:
        raise EOFError("EOF when reading a line")
    return line[:-1] if line.endswith("\n") else line


builtins.input = quiet_input

# The learner's library (a notebook turtle, pygame without a window), as in the kernel:
# `python -I` ignores PYTHONPATH, so it is put on the path here.
LEARNER_LIB = os.environ.get("CODERUNNER_LEARNER_LIB", "/opt/coderunner/learnerlib")
if os.path.isdir(LEARNER_LIB):
    sys.path.insert(0, LEARNER_LIB)
    try:
        import coderunner_hooks

        coderunner_hooks.install()
    except Exception:  # noqa: BLE001 - grading goes on without the hooks
        pass


def drawing_record():
    """What the learner's code drew (turtle lines, pygame's display pixels), as plain
    data; the trusted side parses and checks it."""
    from grading_service.grading.drawing import local_record

    return local_record()


handles: dict[int, object] = {}
module = ModuleType("solution")
PLAIN = (type(None), bool, int, float, str)
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
FACTORIES = (list, int, set, dict, str, float, tuple)


# --------------------------------------------------------------------------- values


def encode(value, depth=0):
    """A value as plain JSON; an object that is not a value stays here behind a handle."""
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    t = type(value)
    if t is float and not math.isfinite(value):
        return {"__t": "float", "v": repr(value)}
    if t in PLAIN:
        return value
    if t is list:
        return [encode(v, depth + 1) for v in value]
    if t is dict:
        return encode_dict(value, list(value.items()), depth)
    tagged = encode_by_value(value, depth)
    if tagged is not None:
        return tagged
    hid = id(value)
    handles[hid] = value
    return {"__t": "handle", "id": hid, "type": type(value).__name__[:200]}


def encode_dict(value, items, depth):
    if all(type(k) is str and k != "__t" for k, _ in items):
        return {k: encode(v, depth + 1) for k, v in items}
    return {"__t": "dict", "v": pairs(items, depth)}


def pairs(items, depth):
    return [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in items]


def encode_by_value(value, depth):
    """Standard-library value types, and subclasses of plain types as their base value
    (read through the base class's own methods, not the subclass's)."""
    d = depth + 1
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return encode(float.__float__(value), depth)
    if isinstance(value, complex):
        return {
            "__t": "complex",
            "v": [repr(complex.real.__get__(value)), repr(complex.imag.__get__(value))],
        }
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bytes):
        return {"__t": "bytes", "v": bytes(memoryview(value)).hex()}
    if isinstance(value, tuple):
        items = [encode(v, d) for v in tuple.__iter__(value)]
        fields = getattr(type(value), "_fields", None)
        if (
            isinstance(fields, tuple)
            and len(fields) == len(items)
            and all(isinstance(f, str) for f in fields)
        ):
            return {
                "__t": "namedtuple",
                "name": type(value).__name__,
                "fields": list(fields),
                "v": items,
            }
        return {"__t": "tuple", "v": items}
    if isinstance(value, list):
        return [encode(v, d) for v in list.__iter__(value)]
    if isinstance(value, dict):
        items = list(dict.items(value))
        collections = _loaded("collections")
        if collections is not None:
            if isinstance(value, collections.Counter):
                return {"__t": "counter", "v": pairs(items, depth)}
            if isinstance(value, collections.OrderedDict):
                return {"__t": "ordereddict", "v": pairs(items, depth)}
            if isinstance(value, collections.defaultdict):
                factory = collections.defaultdict.default_factory.__get__(value)
                name = factory.__name__ if factory in FACTORIES else None
                return {"__t": "defaultdict", "factory": name, "v": pairs(items, depth)}
        return encode_dict(value, items, depth)
    if isinstance(value, frozenset):
        return {"__t": "frozenset", "v": [encode(v, d) for v in frozenset.__iter__(value)]}
    if isinstance(value, set):
        return {"__t": "set", "v": [encode(v, d) for v in set.__iter__(value)]}
    datetime = _loaded("datetime")
    if datetime is not None:
        if isinstance(value, datetime.datetime):
            return {"__t": "datetime", "v": datetime.datetime.isoformat(value)}
        if isinstance(value, datetime.date):
            return {"__t": "date", "v": datetime.date.isoformat(value)}
        if isinstance(value, datetime.time):
            return {"__t": "time", "v": datetime.time.isoformat(value)}
        if isinstance(value, datetime.timedelta):
            return {"__t": "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    decimal = _loaded("decimal")
    if decimal is not None and isinstance(value, decimal.Decimal):
        return {"__t": "decimal", "v": decimal.Decimal.__str__(value)}
    fractions = _loaded("fractions")
    if fractions is not None and isinstance(value, fractions.Fraction):
        return {"__t": "fraction", "v": [int(value.numerator), int(value.denominator)]}
    if isinstance(value, type) and BUILTIN_TYPES.get(value.__name__) is value:
        return {"__t": "builtin", "name": value.__name__}
    if isinstance(value, Callback):
        return {"__t": "callback", "id": value.index}
    return None


def _collections():
    import collections

    return collections


def _loaded(name):
    """The module ``name`` when some code has imported it, else None."""
    module = sys.modules.get(name)
    return module if isinstance(module, ModuleType) else None


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get("__t")
    if tag is None:
        return {k: decode(v) for k, v in value.items()}
    inner = value.get("v")
    simple = {
        "tuple": lambda: tuple(decode(v) for v in inner),
        "set": lambda: {decode(v) for v in inner},
        "frozenset": lambda: frozenset(decode(v) for v in inner),
        "dict": lambda: {decode(k): decode(v) for k, v in inner},
        "counter": lambda: _collections().Counter({decode(k): decode(v) for k, v in inner}),
        "ordereddict": lambda: _collections().OrderedDict((decode(k), decode(v)) for k, v in inner),
        "bytes": lambda: bytes.fromhex(inner),
        "float": lambda: float(inner),
        "complex": lambda: complex(float(inner[0]), float(inner[1])),
        "datetime": lambda: __import__("datetime").datetime.fromisoformat(inner),
        "date": lambda: __import__("datetime").date.fromisoformat(inner),
        "time": lambda: __import__("datetime").time.fromisoformat(inner),
        "timedelta": lambda: __import__("datetime").timedelta(*inner),
        "decimal": lambda: __import__("decimal").Decimal(inner),
        "fraction": lambda: __import__("fractions").Fraction(*inner),
    }
    if tag in simple:
        return simple[tag]()
    if tag == "namedtuple":
        cls = _collections().namedtuple(value["name"], value["fields"])
        return cls(*(decode(v) for v in inner))
    if tag == "defaultdict":
        factory = BUILTIN_TYPES.get(value.get("factory") or "")
        result = _collections().defaultdict(factory)
        result.update((decode(k), decode(v)) for k, v in inner)
        return result
    if tag == "handle":
        return handles[value["id"]]
    if tag == "builtin":
        return BUILTIN_TYPES[value["name"]]
    if tag == "callback":
        return Callback(value["id"])
    raise ValueError(f"unknown tag {tag!r}")


# --------------------------------------------------------------------------- callbacks


class Callback:
    """A function the test passed in. Calling it runs it on the trusted side."""

    def __init__(self, index):
        self.index = index
        self.__name__ = f"callback_{index}"

    def __call__(self, *args, **kwargs):
        send(
            {
                "callback": self.index,
                "args": [encode(a) for a in args],
                "kwargs": {k: encode(v) for k, v in kwargs.items()},
            }
        )
        result = serve(until_callback_result=True)
        if result.get("ok"):
            return decode(result.get("value"))
        error = result.get("error") or {}
        exc_type = getattr(builtins, str(error.get("type")), RuntimeError)
        if not (isinstance(exc_type, type) and issubclass(exc_type, Exception)):
            exc_type = RuntimeError
        raise exc_type(error.get("message", ""))


# --------------------------------------------------------------------------- requests


def builtin_bases(cls):
    """Names of the builtin exception types this class derives from, nearest first."""
    return [k.__name__ for k in cls.__mro__ if k.__module__ == "builtins"]


def error_reply(exc):
    try:
        message = str(exc)[:2000]
    except BaseException:  # noqa: BLE001 - a learner's __str__ may fail too
        message = ""
    err = {"type": type(exc).__name__, "message": message, "bases": builtin_bases(type(exc))}
    if isinstance(exc, SyntaxError):
        err["line"] = exc.lineno
    else:
        tb, line = exc.__traceback__, None
        while tb is not None:  # as traceback.extract_tb, without importing it
            if tb.tb_frame.f_code.co_filename == "<solution>":
                line = tb.tb_lineno
            tb = tb.tb_next
        if line is not None:
            err["line"] = line
    return {"ok": False, "error": err}


def resolve(target):
    if target is None:
        return module
    if isinstance(target, str):
        return getattr(module, target)
    return handles[target]


def _exit(obj, error):
    if error is None:
        return bool(obj.__exit__(None, None, None))
    exc_type = getattr(builtins, str(error[0]), Exception)
    if not (isinstance(exc_type, type) and issubclass(exc_type, Exception)):
        exc_type = Exception
    exc = exc_type(error[1])
    return bool(obj.__exit__(exc_type, exc, None))


OPS = {
    "len": len,
    "str": str,
    "repr": repr,
    "bool": bool,
    "hash": hash,
    "iter": list,
    "int": int,
    "float": float,
    "index": operator.index,
    "neg": operator.neg,
    "pos": operator.pos,
    "abs": abs,
    "invert": operator.invert,
    "round": round,
    "enter": lambda obj: obj.__enter__(),
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "getitem": operator.getitem,
    "setitem": operator.setitem,
    "delitem": operator.delitem,
}
for _name in (
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
    _fn = getattr(operator, _name + "_" if _name in ("and", "or") else _name)
    OPS[_name] = _fn
    OPS["r" + _name] = (lambda f: lambda obj, other: f(other, obj))(_fn)


def place_files(files):
    """Write the problem's data files into the working directory, read-only (they are
    the problem's, not the learner's; a name is a bare file name)."""
    for name, data in (files or {}).items():
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            continue
        if os.path.exists(name):
            continue
        with open(name, "wb") as f:
            f.write(__import__("binascii").a2b_base64(data))
        os.chmod(name, 0o444)


def load(source, files=None):
    place_files(files)
    code = compile(source, "<solution>", "exec")
    module.__dict__["__name__"] = "solution"
    sys.modules["solution"] = module
    exec(code, module.__dict__)
    names = {}
    for name, value in list(module.__dict__.items()):
        if name.startswith("__") or isinstance(value, ModuleType):
            continue
        if isinstance(value, type) and issubclass(value, BaseException):
            names[name] = "exception:" + builtin_bases(value)[0]
        elif isinstance(value, type):
            names[name] = "class"
        elif callable(value):
            names[name] = "function"
        else:
            names[name] = "value"
    return {"ok": True, "names": names}


def run_program(source, stdin, files=None):
    place_files(files)
    code = compile(source, "<solution>", "exec")
    sys.stdin = io.StringIO(stdin)
    namespace = {"__name__": "__main__"}
    exit_code = 0
    try:
        exec(code, namespace)
    except SystemExit as exc:
        exit_code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return {"ok": True, "exit": exit_code}


def handle(request):
    op = request.get("op")
    if op == "ping":
        return {"ok": True}
    if op == "load":
        return load(request["source"], request.get("files"))
    if op == "run":
        return run_program(request["source"], request.get("stdin", ""), request.get("files"))
    if op == "drawing":
        return {"ok": True, "value": drawing_record()}
    target = resolve(request.get("target"))
    if op == "getattr":
        return {"ok": True, "value": encode(getattr(target, request["attr"]))}
    if op == "setattr":
        setattr(target, request["attr"], decode(request.get("value")))
        return {"ok": True, "value": None}
    if op == "call":
        args = decode(request.get("args", []))
        kwargs = decode(request.get("kwargs", {}))
        return {"ok": True, "value": encode(target(*args, **kwargs))}
    if op == "op":
        args = decode(request.get("args", []))
        return {"ok": True, "value": encode(OPS[request["name"]](target, *args))}
    if op == "next":
        try:
            return {"ok": True, "value": encode(next(target))}
        except StopIteration:
            return {"ok": True, "value": None, "exhausted": True}
    if op == "isinstance":
        return {"ok": True, "value": isinstance(decode(request.get("value")), target)}
    if op == "exit":
        return {"ok": True, "value": _exit(target, request.get("error"))}
    raise ValueError(f"unknown op {op!r}")


def send(message):
    PROTOCOL_OUT.write(dumps(message) + "\n")


def serve(until_callback_result=False):
    """Answer requests; inside a callback, until the trusted side sends its result."""
    for line in PROTOCOL_IN:
        try:
            request = loads(line)
        except ValueError:
            continue
        if request.get("callback_result"):
            if until_callback_result:
                return request
            continue
        rid = request.get("id")
        try:
            reply = handle(request)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # the learner's failure is an answer, not our crash
            reply = error_reply(exc)
        out, cut = capture.take()
        reply["id"] = rid
        reply["stdout"] = out
        reply["stdout_truncated"] = cut
        try:
            text = dumps(reply)
        except (TypeError, ValueError) as exc:
            text = dumps({"id": rid, "stdout": out, "stdout_truncated": cut, **error_reply(exc)})
        PROTOCOL_OUT.write(text + "\n")
    sys.exit(0)


serve()
