"""Regenerate every dataset into datasets/: ``python -m chaoyang.data [FOLDER]``."""

import sys
from pathlib import Path

from chaoyang.data.registry import write_all


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        folder = Path(argv[0])
    else:
        root = next((p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file()), None)
        folder = (root if root is not None else Path.cwd()) / "datasets"
    sums = write_all(folder)
    for filename, digest in sums.items():
        print(f"{digest[:12]}  {folder / filename}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
