import unittest

from solution import secret_code


class TestSecretCodeHidden(unittest.TestCase):
    def test_empty(self):
        self.assertEqual(secret_code(""), "")

    def test_single_letter(self):
        self.assertEqual(secret_code("q"), "Q")

    def test_mixed_capitals(self):
        self.assertEqual(secret_code("PyThon"), "NOHTYP")

    def test_with_space(self):
        self.assertEqual(secret_code("top spy"), "YPS POT")

    def test_already_capital(self):
        self.assertEqual(secret_code("MAP"), "PAM")
