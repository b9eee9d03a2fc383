"""MiniFlow, installed as a package (pip install -e .)."""

from mf.miniflow import *  # noqa: F401,F403
