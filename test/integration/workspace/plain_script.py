"""Ordinary Python with no pipeline in it: VORTEX must give it nothing."""
import json


def load(path):
    with open(path) as handle:
        return json.load(handle)


schedule_interval = "0 25 * * *"  # looks like a schedule, but this file defines no pipeline
print(load)
