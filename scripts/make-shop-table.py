"""A small mixed table for the demo, made here so nothing is downloaded: orders of a shop with a
category, a quantity, a unit price with two decimals that depends on the category, a date, and a
gift flag that is sometimes missing. Usage: python3 scripts/make-shop-table.py OUT.csv"""
import csv
import random
import sys
from datetime import date, timedelta

random.seed(7)
prices = {"books": 12.0, "games": 45.0, "garden": 25.0, "music": 9.0}
with open(sys.argv[1], "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(["category", "quantity", "unit_price", "day", "gift"])
    for _ in range(2000):
        category = random.choices(list(prices), weights=[4, 2, 1, 3])[0]
        quantity = max(1, int(random.expovariate(0.5)) + (3 if category == "music" else 1))
        price = round(prices[category] * random.lognormvariate(0, 0.25), 2)
        day = date(2024, 1, 1) + timedelta(days=random.randrange(366))
        gift = "" if random.random() < 0.05 else str(random.random() < (0.4 if day.month == 12 else 0.1)).lower()
        out.writerow([category, quantity, f"{price:.2f}", day.isoformat(), gift])
