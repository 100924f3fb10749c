# The notebooks here are hostile on purpose (they loop, fork, fill the disk, exhaust memory): they must
# run only inside the grading sandbox, through tests/test_grading_redteam.py, never under nbmake.
collect_ignore_glob = ["*.ipynb"]
