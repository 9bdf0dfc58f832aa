class InsufficientFunds(ValueError):
    pass


class BankAccount:
    def __init__(self, balance=0):
        self.balance = balance

    def deposit(self, amount):
        self.balance += amount
        return self.balance

    def withdraw(self, amount):
        # TODO: check the amount and raise InsufficientFunds when needed
        self.balance -= amount
        return self.balance

    def transfer_to(self, other, amount):
        # TODO
        pass
