"""python -m bench [--quick] [--torch-python PATH]: every section, one table each, goals beside the figures."""

import argparse
import time

from . import adding, core, diagram, page, size, training
from .common import load


def main():
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run: fewer repeats, no T = 10,000")
    parser.add_argument("--torch-python", metavar="PATH", help="an interpreter with torch, to time the reference")
    args = parser.parse_args()
    print(f"python -m bench{' --quick' if args.quick else ''}: {load()}")
    misses = 0
    for title, section in (
        ("a) the cells: forward + backward", lambda: core.run(args.quick, args.torch_python)),
        ("b) page reruns (AppTest)", lambda: page.run(args.quick)),
        ("c) figure JSON size", lambda: size.run(args.quick)),
        ("d) training", lambda: training.run(args.quick)),
        ("e) the adding problem, trained by the core", lambda: adding.run(args.quick)),
        ("f) the unrolled diagram: an arrow key beside a round trip (Chromium)", lambda: diagram.run(args.quick)),
    ):
        print(f"\n{title}")
        start = time.perf_counter()
        misses += section()
        print(f"({time.perf_counter() - start:.0f} s)")
    print(f"\n{misses} goal(s) missed; {load()}")


if __name__ == "__main__":
    main()
