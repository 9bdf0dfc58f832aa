import csv


def count_fruits(path="fruits.csv"):
    counts = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            fruit = row["fruit"]
            # Your code here: tidy up the name, skip empty ones, and count it
    return counts
