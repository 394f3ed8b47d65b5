"""jieba's dictionary kept beside the model: same words, loaded faster, never trusted stale."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXT = "借给朋友5万块不还 起诉要交多少诉讼费，诉前调解和司法确认怎么办"
SEGMENT = (
    "import sys; from pathlib import Path; from nlu.features import use_dictionary_cache, words\n"
    "if len(sys.argv) > 2: use_dictionary_cache(Path(sys.argv[2]))\n"
    "print('|'.join(words(sys.argv[1])))"
)


def segment(cache_dir: Path | None) -> str:
    """Words of TEXT in a fresh interpreter (jieba loads its dictionary once per process)."""
    argv = [sys.executable, "-c", SEGMENT, TEXT, *([str(cache_dir)] if cache_dir else [])]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=True, timeout=120)
    return done.stdout.strip()


def test_the_cached_dictionary_segments_exactly_as_jieba_does(tmp_path: Path) -> None:
    plain = segment(None)
    assert "诉讼费" in plain.split("|") and "诉前调解" in plain.split("|")
    assert segment(tmp_path) == plain  # builds the dictionary and keeps it
    cached = tmp_path / "jieba-dictionary.pkl"
    assert cached.is_file()
    written = cached.stat().st_mtime_ns
    assert segment(tmp_path) == plain  # loads it
    assert cached.stat().st_mtime_ns == written


def test_a_stale_or_broken_cache_is_rebuilt(tmp_path: Path) -> None:
    cached = tmp_path / "jieba-dictionary.pkl"
    cached.write_bytes(pickle.dumps(((0, "0.0", 1, 1), {"诉讼": 1}, 1)))  # another jieba's
    plain = segment(None)
    assert segment(tmp_path) == plain
    stamp, freq, _total = pickle.loads(cached.read_bytes())
    assert stamp != (0, "0.0", 1, 1) and len(freq) > 100_000
    cached.write_bytes(b"not a pickle")
    assert segment(tmp_path) == plain


def test_an_unwritable_directory_only_means_no_cache(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    assert segment(blocked / "nlu") == segment(None)
