import csv


def count_fruits(path="fruits.csv"):
    counts = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            fruit = (row.get("fruit") or "").strip().lower()
            if fruit:
                counts[fruit] = counts.get(fruit, 0) + 1
    return counts
