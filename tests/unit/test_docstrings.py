"""The examples in docstrings are tests too (examples that need a built dataset are marked +SKIP)."""

import doctest
import importlib
import pkgutil

import pytest

import itsm_prm

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(itsm_prm.__path__, "itsm_prm.") if not name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_some_examples_exist() -> None:
    finder = doctest.DocTestFinder()
    examples = sum(len(t.examples) for name in MODULES for t in finder.find(importlib.import_module(name)))
    assert examples >= 10
