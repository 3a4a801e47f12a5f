"""`make probe` (scripts/cpu_probe.py) calls every list of the floors' mapping and each list's own floor first."""

import importlib.util
import sys
from pathlib import Path

from django.urls import resolve

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(SCRIPTS))  # cpu_probe imports bench_targets as its sibling
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(SCRIPTS))
    return module


def test_the_probe_measures_each_list_after_its_own_floor_and_calls_the_apis_list_routes():
    probe = _load("cpu_probe")
    order = [path for _, path in probe.targets()]
    floors = {name: floor.path for name, floor in probe.LIST_FLOORS.items()}
    lists = {name: path for name, path in probe.targets() if not name.startswith("floor ")}
    assert set(lists) == {"dip-samples list", "assessments list", "defects list", "cases list"}
    for name, path in lists.items():
        assert order.index(floors[name]) < order.index(path), name  # the ratio needs the floor's figure first
        match = resolve(path)
        assert match.url_name.endswith("-list"), (path, match.url_name)
    assert lists["dip-samples list"] == "/api/v1/dip-samples/"
