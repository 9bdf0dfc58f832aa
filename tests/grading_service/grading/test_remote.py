"""The learner's objects as the trusted test code sees them (grading/remote.py): what no
learner object can fake, values that cross by value, callbacks that stay on the trusted
side, and learner classes with their own operators.

The call server runs as a local process (no Docker); the same runner runs against real
sandboxes in content/test_liars.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .local_agent import grade_with, statuses

ADD_TESTS = """
    import unittest
    import pytest
    from solution import add

    def test_plain():
        assert add(2, 3) == 5

    def test_reversed():
        assert 5 == add(2, 3)

    def test_in_list():
        assert [add(2, 3)] == [5]

    def test_in_dict():
        assert {"sum": add(2, 3)} == {"sum": 5}

    def test_approx():
        assert add(2, 3) == pytest.approx(5.0)

    def test_membership():
        assert add(2, 3) in [5, 6]

    def test_not_equal():
        assert not (add(2, 3) != 5)

    class TestAdd(unittest.TestCase):
        def test_assert_equal(self):
            self.assertEqual(add(2, 3), 5)

        def test_assert_almost_equal(self):
            self.assertAlmostEqual(add(2, 3), 5.0)

        def test_assert_in(self):
            self.assertIn(add(2, 3), (5,))

        def test_ordering(self):
            self.assertGreater(add(2, 3), 4)
"""

LIARS = {
    "always-equal object": """
        class Liar:
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            def __lt__(self, other): return False
            def __gt__(self, other): return True
            def __ge__(self, other): return True
            def __hash__(self): return 5
            def __sub__(self, other): return 0
            def __rsub__(self, other): return 0
            def __abs__(self): return 0
            def __round__(self, n=None): return 0
        def add(a, b): return Liar()
    """,
    "int subclass": """
        class Liar(int):
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            def __hash__(self): return 5
        def add(a, b): return Liar(-987654321)
    """,
    "str subclass": """
        class Liar(str):
            def __eq__(self, other): return True
            __hash__ = str.__hash__
        def add(a, b): return Liar("nothing")
    """,
    "list subclass": """
        class Liar(list):
            def __eq__(self, other): return True
            def __contains__(self, other): return True
        def add(a, b): return Liar([None])
    """,
    "float subclass": """
        class Liar(float):
            def __eq__(self, other): return True
            def __sub__(self, other): return 0.0
            def __rsub__(self, other): return 0.0
            __hash__ = float.__hash__
        def add(a, b): return Liar(-1.5)
    """,
    "self-returning object": """
        class Liar:
            def __getattr__(self, name): return self
            def __call__(self, *a, **k): return self
            def __eq__(self, other): return self
            def __bool__(self): return True
        def add(a, b): return Liar()
    """,
}


@pytest.mark.parametrize("liar", sorted(LIARS))
def test_lying_return_values_earn_nothing(tmp_path: Path, liar: str) -> None:
    result = grade_with(tmp_path, ADD_TESTS, LIARS[liar])
    assert result["passed"] == 0, statuses(result)
    assert result["total"] == 11


def test_honest_add_passes_every_comparison(tmp_path: Path) -> None:
    result = grade_with(tmp_path, ADD_TESTS, "def add(a, b): return a + b\n")
    assert result["verdict"] == "passed", statuses(result)


def test_the_expected_value_never_reaches_learner_code(tmp_path: Path) -> None:
    tests = """
        import unittest
        from solution import make, seen

        class T(unittest.TestCase):
            def test_compare(self):
                obj = make()
                self.assertNotEqual(obj, 987654)
                self.assertNotIn(987654, obj)
                with self.assertRaises(TypeError):
                    obj < 987654

            def test_nothing_seen(self):
                self.assertEqual(seen(), [])
    """
    source = """
        log = []
        class Spy:
            def __eq__(self, other): log.append(other); return True
            def __ne__(self, other): log.append(other); return False
            def __lt__(self, other): log.append(other); return True
            def __contains__(self, other): log.append(other); return True
            def __iter__(self): return iter([1, 2])
            __hash__ = object.__hash__
        def make(): return Spy()
        def seen(): return log
    """
    result = grade_with(tmp_path, tests, source)
    assert result["verdict"] == "passed", result["tests"]


VALUE_TESTS = """
    import collections
    import datetime
    import decimal
    import fractions
    from solution import values, echo

    Point = collections.namedtuple("Point", "x y")

    def test_by_value():
        v = values()
        assert v["int"] == 7 and type(v["int"]) is int
        assert v["str"] == "hi" and type(v["str"]) is str
        assert v["list"] == [1, 2] and type(v["list"]) is list
        assert v["tuple"] == (1, 2)
        assert v["dict"] == {"a": 1}
        assert v["set"] == {1, 2} and v["frozenset"] == frozenset({3})
        assert v["float"] == 1.5 and v["complex"] == 1 + 2j
        assert v["bytes"] == b"ab" and v["bool"] is True
        assert v["datetime"] == datetime.datetime(2024, 5, 1, 12, 30)
        assert v["date"] == datetime.date(2024, 5, 1)
        assert v["time"] == datetime.time(7, 15)
        assert v["timedelta"] == datetime.timedelta(days=2, seconds=5)
        assert v["decimal"] == decimal.Decimal("1.10")
        assert v["fraction"] == fractions.Fraction(1, 3)
        assert v["point"] == Point(1, 2) and v["point"].y == 2
        assert v["counter"] == collections.Counter("aab")
        assert v["ordered"] == collections.OrderedDict(a=1)
        assert v["default"]["missing"] == []
        assert v["nan"] != v["nan"] and v["inf"] == float("inf")

    def test_values_go_in_and_come_back():
        sent = [datetime.date(2020, 1, 2), decimal.Decimal("2.5"), fractions.Fraction(2, 3),
                Point(3, 4), collections.Counter("xy"), (1, {2}), b"z", 2j, None]
        assert echo(sent) == sent
"""

VALUE_SOURCE = """
    import collections, datetime, decimal, fractions
    class MyInt(int): pass
    class MyStr(str): pass
    class MyList(list): pass
    Point = collections.namedtuple("Point", "x y")
    def values():
        return {"int": MyInt(7), "str": MyStr("hi"), "list": MyList([1, 2]), "tuple": (1, 2),
                "dict": {"a": 1}, "set": {1, 2}, "frozenset": frozenset({3}), "float": 1.5,
                "complex": 1 + 2j, "bytes": b"ab", "bool": True,
                "datetime": datetime.datetime(2024, 5, 1, 12, 30),
                "date": datetime.date(2024, 5, 1), "time": datetime.time(7, 15),
                "timedelta": datetime.timedelta(days=2, seconds=5),
                "decimal": decimal.Decimal("1.10"), "fraction": fractions.Fraction(1, 3),
                "point": Point(1, 2), "counter": collections.Counter("aab"),
                "ordered": collections.OrderedDict(a=1),
                "default": collections.defaultdict(list), "nan": float("nan"),
                "inf": float("inf")}
    def echo(x):
        return x
"""


def test_standard_library_values_cross_by_value(tmp_path: Path) -> None:
    result = grade_with(tmp_path, VALUE_TESTS, VALUE_SOURCE)
    assert result["verdict"] == "passed", result["tests"]


def test_values_cross_when_only_the_test_imports_their_module(tmp_path: Path) -> None:
    # The call server imports datetime, decimal and fractions only when needed.
    tests = """
        import datetime, decimal, fractions
        from solution import echo, later

        def test_echo():
            sent = [datetime.date(2020, 1, 2), decimal.Decimal("2.5"), fractions.Fraction(2, 3)]
            assert echo(sent) == sent

        def test_arithmetic_on_a_value_sent_in():
            assert later(datetime.date(2024, 2, 28)) == datetime.date(2024, 2, 29)
    """
    source = """
        def echo(x):
            return x

        def later(day):
            return day + type(day - day)(days=1)
    """
    result = grade_with(tmp_path, tests, source)
    assert result["verdict"] == "passed", result["tests"]


def test_callbacks_run_on_the_trusted_side(tmp_path: Path) -> None:
    tests = """
        import os
        from solution import apply_all, keep, sort_by, make_adder

        CALLS = []

        def test_function_passed_in():
            def double(x):
                CALLS.append(os.getpid())
                return x * 2
            assert apply_all(double, [1, 2, 3]) == [2, 4, 6]
            assert CALLS == [os.getpid()] * 3

        def test_lambda_and_builtin():
            assert keep(lambda w: len(w) > 2, ["a", "abc", "hello"]) == ["abc", "hello"]
            assert sort_by(["ccc", "a", "bb"], len) == ["a", "bb", "ccc"]

        def test_builtin_type_passed_in():
            assert apply_all(int, ["1", "22"]) == [1, 22]

        def test_learner_function_coming_back():
            add3 = make_adder(3)
            assert add3(4) == 7

        def test_errors_in_callbacks_reach_learner_code():
            def boom(x):
                raise ValueError("no")
            assert keep(boom, [1]) == "caught ValueError"

        def test_assertion_in_a_callback_fails_the_test_even_if_swallowed():
            def check(x):
                assert x == 99
                return True
            keep(check, [1])
    """
    source = """
        def apply_all(f, xs):
            return [f(x) for x in xs]
        def keep(pred, xs):
            try:
                return [x for x in xs if pred(x)]
            except ValueError as exc:
                return "caught ValueError"
            except Exception:
                return []
        def sort_by(xs, key):
            return sorted(xs, key=key)
        def make_adder(n):
            return lambda x: x + n
    """
    result = grade_with(tmp_path, tests, source)
    got = statuses(result)
    assert got.pop("test_assertion_in_a_callback_fails_the_test_even_if_swallowed") == "fail"
    assert set(got.values()) == {"pass"}, result["tests"]


CLOCK_TESTS = """
    import unittest
    from solution import Clock, Account

    class TestClock(unittest.TestCase):
        def test_two_learner_objects(self):
            self.assertEqual(Clock(8, 0) + 3, Clock(8, 3))
            self.assertNotEqual(Clock(8, 0), Clock(9, 0))
            self.assertLess(Clock(8, 0), Clock(9, 0))
            self.assertEqual(len({Clock(1, 0), Clock(1, 0)}), 1)

        def test_operators(self):
            c = Clock(23, 59)
            self.assertEqual(str(c + 2), "00:01")
            self.assertEqual(str(3 + Clock(0, 0)), "00:03")
            self.assertEqual(str(-Clock(0, 1)), "23:59")
            self.assertEqual(int(Clock(1, 1)), 61)
            self.assertEqual(f"{Clock(2, 5)}", "02:05")
            self.assertIsInstance(c + 1, Clock)

        def test_attributes_and_protocols(self):
            c = Clock(1, 2)
            self.assertEqual(c.hour, 1)
            c.hour = 5
            self.assertEqual(c.hour, 5)
            self.assertTrue(Clock(0, 1))
            self.assertFalse(Clock(0, 0))

        def test_context_manager(self):
            acct = Account()
            with acct as a:
                a.deposit(5)
            self.assertEqual(acct.log, ["open", "close"])

        def test_context_manager_cannot_swallow_a_failed_check(self):
            with Account():
                self.assertEqual(1, 2)
"""

CLOCK_SOURCE = """
    class Clock:
        def __init__(self, h, m):
            self.hour, self.minute = h, m
        def _total(self):
            return (self.hour * 60 + self.minute) % 1440
        def __add__(self, minutes):
            t = self._total() + minutes
            return Clock(t // 60 % 24, t % 60)
        __radd__ = __add__
        def __neg__(self):
            t = -self._total() % 1440
            return Clock(t // 60, t % 60)
        def __eq__(self, other):
            return isinstance(other, Clock) and self._total() == other._total()
        def __lt__(self, other):
            return self._total() < other._total()
        def __hash__(self):
            return self._total()
        def __int__(self):
            return self._total()
        def __bool__(self):
            return self._total() != 0
        def __str__(self):
            return f"{self.hour:02d}:{self.minute:02d}"

    class Account:
        def __init__(self):
            self.log = []
            self.balance = 0
        def deposit(self, n):
            self.balance += n
        def __enter__(self):
            self.log.append("open")
            return self
        def __exit__(self, *exc):
            self.log.append("close")
            return True
"""


def test_learner_objects_use_their_own_class_and_operators(tmp_path: Path) -> None:
    result = grade_with(tmp_path, CLOCK_TESTS, CLOCK_SOURCE)
    got = statuses(result)
    assert got.pop("TestClock.test_context_manager_cannot_swallow_a_failed_check") == "fail"
    assert set(got.values()) == {"pass"}, result["tests"]


def test_control_flow_exceptions_reach_a_test_as_errors(tmp_path: Path) -> None:
    tests = """
        from solution import check, stop

        def test_all_map():
            assert all(map(check, [1, 2, 3]))

        def test_stop_async():
            assert stop("StopAsyncIteration") is None

        def test_system_exit():
            assert stop("SystemExit") is None

        def test_generator_exit():
            assert stop("GeneratorExit") is None
    """
    source = """
        def check(x):
            raise StopIteration
        def stop(name):
            raise {"StopAsyncIteration": StopAsyncIteration, "SystemExit": SystemExit,
                   "GeneratorExit": GeneratorExit}[name]()
    """
    result = grade_with(tmp_path, tests, source)
    assert result["passed"] == 0
    assert set(statuses(result).values()) == {"error"}, result["tests"]


def test_skipped_and_expected_failures_are_not_passes(tmp_path: Path) -> None:
    tests = """
        import unittest
        import pytest
        from solution import f

        class T(unittest.TestCase):
            def test_skip(self):
                self.skipTest("later")

            @unittest.expectedFailure
            def test_expected_failure(self):
                self.assertEqual(f(), 2)

            async def test_async_in_plain_case(self):
                self.assertEqual(f(), 1)

        class A(unittest.IsolatedAsyncioTestCase):
            async def test_async_case(self):
                self.assertEqual(f(), 1)

        def test_pytest_skip():
            pytest.skip("later")

        async def test_async_function():
            assert f() == 1

        async def test_async_function_failing():
            assert f() == 2
    """
    result = grade_with(tmp_path, tests, "def f(): return 1\n")
    assert statuses(result) == {
        "T.test_async_in_plain_case": "error",
        "T.test_expected_failure": "fail",
        "T.test_skip": "skipped",
        "A.test_async_case": "pass",
        "test_pytest_skip": "skipped",
        "test_async_function": "pass",
        "test_async_function_failing": "fail",
    }
    assert (result["passed"], result["total"]) == (2, 7)


def test_the_denominator_is_fixed_before_learner_code_runs(tmp_path: Path) -> None:
    tests = """
        from solution import f, g

        def test_one():
            assert f() == 1

        def test_two():
            assert g() == "x"

        def test_three():
            assert f() + 1 == 2
    """
    source = """
        import os
        def f(): return 1
        def g():
            print("{}")
            os._exit(0)
    """
    result = grade_with(tmp_path, tests, source)
    assert result["verdict"] == "crashed"
    assert (result["passed"], result["total"]) == (1, 3)


def test_helper_modules_and_solution_constants(tmp_path: Path) -> None:
    tests = """
        from solution import shout, GREETING
        from helpers import EXPECTED_GREETING, loud

        def test_constant():
            assert GREETING == EXPECTED_GREETING

        def test_helper():
            assert shout("hi") == loud("hi")
    """
    helpers = {
        "helpers.py": """
        from solution import shout  # helpers may use the learner's module too

        EXPECTED_GREETING = "hello"

        def loud(text):
            return text.upper() + "!"
    """
    }
    result = grade_with(
        tmp_path,
        tests,
        """
        GREETING = "hello"
        def shout(t): return t.upper() + "!"
    """,
        helpers=helpers,
    )
    assert result["verdict"] == "passed", result["tests"]


def test_star_import_cannot_shadow_the_tests_names(tmp_path: Path) -> None:
    tests = """
        from math import isclose
        from solution import *

        def test_area():
            assert isclose(area(2), 12.566, rel_tol=1e-3)

        def test_len_is_the_builtin():
            assert len(area.__name__ if False else "abc") == 3
    """
    source = """
        def area(r): return 0
        def isclose(*a, **k): return True
        def len(x): return 3
    """
    result = grade_with(tmp_path, tests, source, names=["area"])
    assert statuses(result)["test_area"] == "fail"
