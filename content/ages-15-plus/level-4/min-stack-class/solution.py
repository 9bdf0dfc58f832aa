class MinStack:
    def __init__(self):
        self.items = []
        self.mins = []

    def push(self, x):
        self.items.append(x)
        if self.mins:
            self.mins.append(min(x, self.mins[-1]))
        else:
            self.mins.append(x)

    def pop(self):
        if not self.items:
            raise IndexError("pop from empty stack")
        self.mins.pop()
        return self.items.pop()

    def peek(self):
        if not self.items:
            raise IndexError("peek at empty stack")
        return self.items[-1]

    def get_min(self):
        if not self.mins:
            raise IndexError("min of empty stack")
        return self.mins[-1]

    def is_empty(self):
        return not self.items

    def size(self):
        return len(self.items)

    def __len__(self):
        return len(self.items)
