import unittest

from solution import BankAccount, InsufficientFunds


def test_deposit_and_withdraw():
    acct = BankAccount(50)
    assert acct.deposit(25) == 75
    assert acct.withdraw(70) == 5
    assert acct.balance == 5


class TestOverdraw(unittest.TestCase):
    def test_overdraw_raises(self):
        acct = BankAccount(5)
        with self.assertRaises(InsufficientFunds):
            acct.withdraw(10)
        self.assertEqual(acct.balance, 5)
