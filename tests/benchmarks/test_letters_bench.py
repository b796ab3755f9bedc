"""Password letters: one letter, and a batch of 100 (a busy branch's day), rendered in memory.

.venv/bin/python -m pytest tests/benchmarks/test_letters_bench.py --benchmark-enable
"""

from __future__ import annotations

from dataclasses import replace

from pytest_benchmark.fixture import BenchmarkFixture

from teller_client.documents.letters import DUMMY_SECRET, LetterLayout, render_password_letter, sample_letter
from teller_client.secret import Secret

LAYOUT = LetterLayout(offset_x_mm=1.5, offset_y_mm=-1.0)


def test_bench_render_one_letter(benchmark: BenchmarkFixture) -> None:
    letter = sample_letter()
    with Secret(DUMMY_SECRET) as secret:
        pdf = benchmark(render_password_letter, letter, secret, LAYOUT)
    assert pdf.startswith(b"%PDF")


def test_bench_render_100_letters(benchmark: BenchmarkFixture) -> None:
    letters = [replace(sample_letter(), letter_serial=f"LT{n:08d}", login_id=f"3500000042{n:03d}") for n in range(1, 101)]

    def render_all() -> int:
        total = 0
        with Secret(DUMMY_SECRET) as secret:
            for letter in letters:
                pdf = render_password_letter(letter, secret, LAYOUT)
                total += len(pdf)
                pdf[:] = bytes(len(pdf))  # as the flow does after printing
        return total

    assert benchmark.pedantic(render_all, rounds=5, iterations=1) > 100 * 10_000
