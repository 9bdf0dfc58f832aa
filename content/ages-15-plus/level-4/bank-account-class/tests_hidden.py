import unittest

from solution import BankAccount, InsufficientFunds


def test_default_balance_is_zero():
    acct = BankAccount()
    assert acct.balance == 0
    assert acct.deposit(12) == 12


def test_withdraw_everything_allowed():
    acct = BankAccount(40)
    assert acct.withdraw(40) == 0
    assert acct.balance == 0


class TestAmounts(unittest.TestCase):
    def test_empty_account_cannot_withdraw(self):
        acct = BankAccount(40)
        acct.withdraw(40)
        with self.assertRaises(InsufficientFunds):
            acct.withdraw(1)
        self.assertEqual(acct.balance, 0)

    def test_insufficient_funds_is_a_value_error(self):
        acct = BankAccount(3)
        with self.assertRaises(ValueError):
            acct.withdraw(4)

    def test_negative_start_rejected(self):
        with self.assertRaises(ValueError):
            BankAccount(-1)

    def test_bad_deposits(self):
        acct = BankAccount(10)
        with self.assertRaises(ValueError):
            acct.deposit(0)
        with self.assertRaises(ValueError):
            acct.deposit(-8)
        self.assertEqual(acct.balance, 10)

    def test_bad_withdrawal(self):
        acct = BankAccount(10)
        with self.assertRaises(ValueError):
            acct.withdraw(-3)
        self.assertEqual(acct.balance, 10)


class TestTransfer(unittest.TestCase):
    def test_transfer_moves_money(self):
        a = BankAccount(100)
        b = BankAccount(7)
        self.assertIsNone(a.transfer_to(b, 30))
        self.assertEqual(a.balance, 70)
        self.assertEqual(b.balance, 37)

    def test_failed_transfer_changes_nothing(self):
        a = BankAccount(20)
        b = BankAccount(1)
        with self.assertRaises(InsufficientFunds):
            a.transfer_to(b, 21)
        self.assertEqual(a.balance, 20)
        self.assertEqual(b.balance, 1)

    def test_zero_transfer_rejected(self):
        a = BankAccount(20)
        b = BankAccount(0)
        with self.assertRaises(ValueError):
            a.transfer_to(b, 0)
        self.assertEqual((a.balance, b.balance), (20, 0))
