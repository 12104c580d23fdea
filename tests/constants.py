"""Named fixtures shared by the tests: the sample fiches and where real data lives."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FICHES_DIR = ROOT / "data" / "fiches"
RESOURCES = Path(__file__).resolve().parent / "resources"
#: Real third-party data, read in place and never copied (absent → tests skip).
SHARED_DATA = ROOT.parent / "shared" / "data"

#: The five sample pages and the fiche each one holds.
SAMPLES = {
    "000_e4491d281dd4d66c.txt": "RNCP34808",
    "001_e5f068fda1a5b3e6.txt": "RNCP36459",
    "002_0b31920a05e5dd23.txt": "RNCP4525",
    "003_5ca7f7331b8d7c91.txt": "RNCP41120",
    "004_d3f4a8fc6affab52.txt": "RNCP41818",
}
SAMPLE_NUMBERS = sorted(SAMPLES.values())
#: The four samples that share ROME K1403.
K1403_FICHES = ["RNCP36459", "RNCP41120", "RNCP41818", "RNCP4525"]
