# The table test's inputs, sourced by bindings/c/tests/run.sh after fixtures.sh: a small table
# (a categorical, a boolean, an integer and a continuous column, x near 0 in group A and near
# 10 in group B) and a table model fitted on it by the `ae` tool at $ae, in the folder $work.
# Sets table_test_args, the arguments of bindings/c/tests/test_table.c.
awk 'BEGIN { srand(11); print "group,flag,count,x"
             for (r = 0; r < 400; r++) {
               g = r % 2 ? "B" : "A"; f = rand() < 0.3 ? "true" : "false"; c = int(rand() * 21)
               x = (g == "A" ? 0 : 10) + rand() + rand() + rand() - 1.5
               printf "%s,%s,%d,%.3f\n", g, f, c, x } }' > "$work/table.csv"
"$ae" augment fit "$work/table.csv" --out "$work/table.h5" --epochs 150 --batch-size 50 --seed 3 --quiet >/dev/null
table_test_args=("$work/table.h5" "$work/table.csv" "$work/model.h5")
