"""Regenerate every dataset into datasets/: ``python -m chaoyang.data [FOLDER]``.

``--check`` regenerates into a temporary folder and compares with ``datasets/`` instead of writing.
"""

import argparse
import filecmp
import tempfile
from pathlib import Path

from chaoyang.data.registry import write_all


def _datasets_folder() -> Path:
    root = next((p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file()), None)
    return (root if root is not None else Path.cwd()) / "datasets"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaoyang.data", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, help="where to write (default: the repository's datasets/)")
    parser.add_argument("--check", action="store_true",
                        help="compare freshly generated data with the folder instead of writing; exit 1 on a difference")
    args = parser.parse_args(argv)
    folder = args.folder if args.folder is not None else _datasets_folder()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            sums = write_all(Path(tmp))
            differ = [name for name in sums if not (folder / name).is_file()
                      or not filecmp.cmp(Path(tmp) / name, folder / name, shallow=False)]
        for name in differ:
            print(f"differs from the generator: {folder / name}")
        if differ:
            print("regenerate with: python -m chaoyang.data")
        return 1 if differ else 0
    sums = write_all(folder)
    for filename, digest in sums.items():
        print(f"{digest[:12]}  {folder / filename}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
