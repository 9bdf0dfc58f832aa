class InsufficientFunds(ValueError):
    pass


class BankAccount:
    def __init__(self, balance=0):
        if balance < 0:
            raise ValueError("starting balance cannot be negative")
        self.balance = balance

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        self.balance += amount
        return self.balance

    def withdraw(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        if amount > self.balance:
            raise InsufficientFunds("not enough money")
        self.balance -= amount
        return self.balance

    def transfer_to(self, other, amount):
        self.withdraw(amount)
        other.deposit(amount)
