"""Synthetic rows from a table model (ae augment fit) through the binding: the columns the model
knows, 5 rows, and 1000 rows of one category with their mean unit price.
Usage: python table.py shop.h5"""
import sys

import autoencoder

model = autoencoder.Model(sys.argv[1])
print("columns:", ", ".join(f"{c.name} ({c.kind})" for c in model.table_columns))
rows = model.sample_table(5, seed=1, as_frame=False)
for i in range(5):
    print("  ", ", ".join(f"{name}={values[i]}" for name, values in rows.items()))
games = model.sample_table(1000, seed=2, where={"category": "games"}, as_frame=False)
print(f"where category=games: {len(games['unit_price'])} rows, mean unit price {games['unit_price'].mean():.2f}"
      f" (all games: {set(games['category']) == {'games'}})")
