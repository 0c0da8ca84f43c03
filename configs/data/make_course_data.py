"""Regenerate the small course data sets in configs/data/ (deterministic; seed 0).

    python configs/data/make_course_data.py

- temperatures.csv: six years of daily temperatures — a yearly cycle plus weather that
  lingers for days (AR(1), phi 0.7) — for the LSTM forecast against "same as yesterday".
- reviews.csv: short labelled reviews where word order matters ("not good" is negative,
  "bad but the ending was great" is positive: the last clause decides).
- ratings.csv: user x item ratings made from known 3-dimensional user and item vectors
  plus noise of stddev 0.3 (the noise floor a recommender's RMSE can reach).
- shapes/: 32x32 grayscale drawings of circles, squares and triangles, one folder per class.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).parent
RNG = np.random.default_rng(0)


def temperatures(days: int = 6 * 365) -> None:
    t = np.arange(days)
    season = 12.0 - 10.0 * np.cos(2 * np.pi * t / 365.25)
    weather = np.zeros(days)
    for i in range(1, days):
        weather[i] = 0.7 * weather[i - 1] + RNG.normal(0, 2.0)
    with open(HERE / "temperatures.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["day_of_year", "temperature"])
        for i in range(days):
            writer.writerow([i % 365, f"{season[i] + weather[i]:.2f}"])


GOOD = ["good", "great", "wonderful", "excellent", "lovely", "fun", "brilliant", "moving"]
BAD = ["bad", "awful", "boring", "terrible", "dull", "weak", "poor", "tedious"]
THINGS = ["film", "plot", "acting", "story", "music", "ending", "cast", "script", "pacing"]


def _clause(rng: np.random.Generator) -> tuple[str, bool]:
    positive = bool(rng.integers(2))
    word = rng.choice(GOOD if positive else BAD)
    negated = rng.random() < 0.35
    thing = rng.choice(THINGS)
    verb = rng.choice(["was", "is", "felt"])
    text = f"the {thing} {verb} {'not ' if negated else ''}{word}"
    return text, positive != negated


def reviews(count: int = 3000) -> None:
    with open(HERE / "reviews.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        for _ in range(count):
            first, label = _clause(RNG)
            text = first
            if RNG.random() < 0.5:  # "X but Y": the second clause decides
                second, label = _clause(RNG)
                text = f"{first} but {second}"
            writer.writerow([text, "positive" if label else "negative"])


def ratings(users: int = 120, items: int = 80, count: int = 6000, noise: float = 0.3) -> None:
    u = RNG.normal(0, 1, (users, 3))
    v = RNG.normal(0, 1, (items, 3))
    pairs = RNG.choice(users * items, size=count, replace=False)
    with open(HERE / "ratings.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["user", "item", "rating"])
        for pair in pairs:
            i, j = divmod(int(pair), items)
            rating = 3.0 + u[i] @ v[j] + RNG.normal(0, noise)
            writer.writerow([i, j, f"{rating:.3f}"])


def shapes(per_class: int = 60, size: int = 32) -> None:
    for kind in ("circle", "square", "triangle"):
        folder = HERE / "shapes" / kind
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(per_class):
            image = Image.new("L", (size, size), 0)
            draw = ImageDraw.Draw(image)
            r = RNG.integers(6, 12)
            cx, cy = RNG.integers(r + 1, size - r - 1, size=2)
            box = [cx - r, cy - r, cx + r, cy + r]
            if kind == "circle":
                draw.ellipse(box, fill=255)
            elif kind == "square":
                draw.rectangle(box, fill=255)
            else:
                draw.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=255)
            image.save(folder / f"{kind}_{n:03d}.png", optimize=True)


if __name__ == "__main__":
    temperatures()
    reviews()
    ratings()
    shapes()
