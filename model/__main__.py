"""``python -m model``: the ``loopbaan`` commands (:mod:`model.interfaces.cli`), for a Python without the script."""

from model.interfaces.cli import app

app(prog_name="loopbaan")
