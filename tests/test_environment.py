"""The lock file pins every dependency that pyproject.toml names, at a version it allows."""

import re
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def pins(lock: Path) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", lock.read_text(), re.M)
    return {re.sub(r"[-_.]+", "-", n).lower(): v for n, v in found}


def needs(*extras) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += project["optional-dependencies"][extra]
    return [Requirement(r) for r in reqs]


@pytest.mark.parametrize("lock, extras", [("requirements.lock", ("dev",)),
                                          ("requirements-cuda.lock", ("dev", "cuda"))])
def test_lock_pins_every_dependency_within_its_range(lock, extras):
    pinned = pins(ROOT / lock)
    for req in needs(*extras):
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pinned, f"{req.name} is in pyproject.toml but not in {lock}: make lock"
        assert req.specifier.contains(pinned[name], prereleases=True), \
            f"{lock} pins {req.name}=={pinned[name]}, outside {req.specifier}: make lock"
    assert "--hash=sha256:" in (ROOT / lock).read_text()
