"""The background loop keeps going after a failing round and stops promptly."""

from __future__ import annotations

import threading
import time

from runtime.periodic import Periodic


def test_a_failing_round_is_retried_and_stop_is_prompt() -> None:
    rounds: list[int] = []
    done = threading.Event()

    def work() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("database away")
        if len(rounds) == 3:
            done.set()

    loop = Periodic(work, 0.01, "test-loop")
    assert loop.alive()  # not started: nothing failed
    loop.start()
    assert done.wait(5)
    began = time.monotonic()
    loop.stop()
    assert time.monotonic() - began < 1 and not loop.alive()
    assert rounds[:3] == [0, 1, 2]
