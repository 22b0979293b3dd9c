"""A small reporting script: ordinary Python, no pipeline framework in sight."""
import csv
import sys


def summarise(path):
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {"rows": len(rows), "columns": len(rows[0]) if rows else 0}


if __name__ == "__main__":
    print(summarise(sys.argv[1]))
