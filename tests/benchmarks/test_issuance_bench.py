"""One certificate order issued on a SoftHSM UKey by the saga, end to end: worker process, journal, training service.

.venv/bin/python -m pytest tests/benchmarks/test_issuance_bench.py --benchmark-enable
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from teller_client.flows.issuance import IssuanceSaga, Status
from tests.support.issuance import IssuanceRig


@pytest.mark.parametrize("key_type", ["rsa2048", "ec_p256"])
def test_bench_issue_a_certificate_on_a_blank_ukey(benchmark: BenchmarkFixture, issuance: IssuanceRig, key_type: str) -> None:
    issuance.gateway.tokens()  # the worker process is started once per counter, not per certificate

    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        submission = issuance.submission(key_type=key_type)
        saga = issuance.saga(issuance.job(submission), issuance.blank_ukey(), submission.certificate_orders[0].authorization_code)
        return (saga,), {}

    def run(saga: IssuanceSaga) -> Status:
        return saga.run().status

    assert benchmark.pedantic(run, setup=setup, rounds=5, iterations=1) == Status.ISSUED
