"""The spec's test vectors travel with the project (tests/vectors/), so a bureau's fork can run
the suite; where the steering repository's shared/ sits beside the checkout, they must be
identical to it byte for byte."""
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "vectors"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "spec" / "vectors"


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/ is not beside this checkout")
def test_the_bundled_vectors_are_the_shared_ones():
    ours = sorted(p.relative_to(HERE).as_posix() for p in HERE.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(SHARED).as_posix() for p in SHARED.rglob("*") if p.is_file())
    assert ours == theirs
    for name in ours:
        assert (HERE / name).read_bytes() == (SHARED / name).read_bytes(), name
