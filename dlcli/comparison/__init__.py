"""Stage 4, comparisons: one config trained several ways, side by side, in one process.

Owns the plan (`plan`: the axes from `--vary`/`--optimizers`, the members, the manifest
`compare.json` and the lock its writers hold), running the members through the trainer
(`members`), their statistics (`stats`: mean, std and t-intervals with scipy, Welch's test
between the best two), the files of a finished comparison (`summary`: comparison.json and
.csv), the comparison plots (`plots`) and how a finished comparison is reported (`report`).
"""
