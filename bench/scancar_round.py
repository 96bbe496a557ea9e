#!/usr/bin/env python3
"""A simulated scancar round over every photo of a plate set (issue 15, part 6).

Each photo is one parked car. The registers are built from the set's labels, by the
car's place in the round: one car in 10 has a declared disability card, one in 10 a
resident permit, two in 10 a paid session covering its photo, and the rest no right.
`vigie scancar ingest` reads the round; this script compares its outcome with what each
car really has (its labelled plate), and reports:

  - candidates (notices a person could issue) per 100 cars;
  - the share of cars dropped by each register, and left unread;
  - reader errors that made a wrong candidate (a candidate whose plate is not the car's);
  - card holders who became candidates (must be 0: the issue's point).

    python3 bench/scancar_round.py [--vigie build/vigie] [--set fr_qanastek] [--json]
    (also `make scancar-bench`)
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

START = 1764680000  # the round's start (Unix seconds)


def right_of(i):
    """The right the i-th car of the round has, by its place."""
    return {0: "disability_card", 1: "resident", 2: "paid", 3: "paid"}.get(i % 10, "")


def normalised(plate):
    return "".join(ch for ch in plate.upper() if ch.isalnum()).replace("O", "0")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vigie", default=os.path.join(here, "..", "build", "vigie"))
    ap.add_argument("--data", default=os.environ.get("VIGIE_SHARED_DATA", os.path.join(here, "..", "..", "shared", "data")))
    ap.add_argument("--set", default="fr_qanastek")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    folder = os.path.join(a.data, "plates", a.set)
    labels_path = os.path.join(folder, "labels.csv")
    if not os.path.exists(labels_path):
        sys.exit(f"scancar_round: {labels_path} is absent (../shared/data)")
    with open(labels_path, newline="") as f:
        cars = sorted(csv.DictReader(f), key=lambda r: r["image"])

    with tempfile.TemporaryDirectory(prefix="scancar-round-") as tmp:
        spool, registers, out = (os.path.join(tmp, d) for d in ("spool", "registers", "out"))
        os.makedirs(spool), os.makedirs(registers)
        with open(os.path.join(tmp, "track.csv"), "w") as track, \
                open(os.path.join(registers, "paid.csv"), "w") as paid, \
                open(os.path.join(registers, "residents.csv"), "w") as residents, \
                open(os.path.join(registers, "cards.csv"), "w") as cards:
            track.write("time,lat,lon,photo\n")
            paid.write("plate,start,end\n")
            residents.write("plate,valid_from,valid_until\n")
            cards.write("card,plates,valid_from,valid_until\n")
            for i, car in enumerate(cars):
                photo = f"{i:04}{os.path.splitext(car['image'])[1]}"
                shutil.copyfile(os.path.join(folder, car["image"]), os.path.join(spool, photo))
                t = START + 30 * i
                track.write(f"{t},43.2965,5.3698,{photo}\n")
                plate, right = car["plate"], right_of(i)
                if right == "disability_card":
                    cards.write(f"CMI-{i},{plate},0,{START + 86400}\n")
                elif right == "resident":
                    residents.write(f"{plate},0,{START + 86400}\n")
                elif right == "paid":
                    paid.write(f"{plate},{t - 600},{t + 600}\n")
        r = subprocess.run([a.vigie, "scancar", "ingest", "--quiet", "--json", "--photos", spool, "--track",
                            os.path.join(tmp, "track.csv"), "--registers", registers, "--out", out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"scancar_round: vigie scancar ingest failed: {r.stderr.strip()}")
        report = json.loads(r.stdout)

    n = len(cars)
    summary = report["summary"]
    wrong_candidates = card_candidates = 0
    truly = {"disability_card": 0, "resident": 0, "paid": 0, "": 0}
    outcomes = {}  # the car's true right → outcome → cars
    wrong = []
    for i, (car, shot) in enumerate(zip(cars, report["shots"])):
        truly[right_of(i)] += 1
        by = outcomes.setdefault(right_of(i) or "none", {})
        by[shot["outcome"]] = by.get(shot["outcome"], 0) + 1
        if shot["outcome"] != "candidate":
            continue
        if normalised(shot["plate"]) != normalised(car["plate"]):
            wrong_candidates += 1
            wrong.append({"read": shot["plate"], "car": car["plate"], "right": right_of(i) or "none"})
        card_candidates += right_of(i) == "disability_card"
    result = {
        "set": a.set,
        "cars": n,
        "with_a_right": {k or "none": v for k, v in truly.items()},
        "candidates": summary["candidates"],
        "candidates_per_100_cars": round(summary["candidates_per_100_cars"], 1),
        "dropped_share": {k: round(v / n, 3) for k, v in summary["dropped_by_right"].items()},
        "unread_share": round(summary["unread"] / n, 3),
        "outcomes_by_right": outcomes,
        "wrong_candidates": wrong_candidates,
        "wrong": wrong,
        "card_holders_as_candidates": card_candidates,
    }
    if a.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{a.set}: {n} cars ({truly['disability_card']} card holders, {truly['resident']} residents, "
              f"{truly['paid']} paid, {truly['']} without a right)")
        print(f"  candidates: {summary['candidates']} ({result['candidates_per_100_cars']} per 100 cars), "
              f"of which wrong (a plate not the car's): {wrong_candidates}")
        for k, v in sorted(result["dropped_share"].items()):
            print(f"  dropped by {k}: {v:.1%}")
        print(f"  unread: {result['unread_share']:.1%}")
        for right, by in sorted(outcomes.items()):
            print(f"  cars with {right}: " + ", ".join(f"{v} {k}" for k, v in sorted(by.items())))
        for w in wrong:
            print(f"  wrong candidate: read {w['read']} for {w['car']} ({w['right']})")
        print(f"  card holders who became candidates: {card_candidates}")
    return 1 if card_candidates else 0


if __name__ == "__main__":
    sys.exit(main())
