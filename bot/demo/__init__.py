"""The demo: a province seeded with real communes and demo people (seed.py), realistic figures
(figures.py), and a whole reporting week played at accelerated time (simulate.py)."""
