"""The worker loops: a pause ends early when the loop is woken (the dispatcher on a committed
approval), the timer still runs the body without a wake (the safety net), and only a whole
batch is followed by another pass at once."""

from __future__ import annotations

import asyncio

from shared.loops import periodic


async def _run_until(calls: list[float], count: int, wake: asyncio.Event | None,
                     interval_s: float, poke: bool) -> float:
    stop = asyncio.Event()

    async def body() -> int:
        calls.append(asyncio.get_running_loop().time())
        return 0

    task = asyncio.create_task(periodic("t", body, interval_s, batch=10, wake=wake)(stop))
    started = asyncio.get_running_loop().time()
    while len(calls) < count:
        if poke and wake is not None and calls:
            wake.set()
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    return asyncio.get_running_loop().time() - started


async def test_a_wake_cuts_the_pause_short() -> None:
    calls: list[float] = []
    took = await _run_until(calls, 3, asyncio.Event(), interval_s=60, poke=True)
    assert took < 2  # three passes without waiting out a 60 s interval


async def test_without_a_wake_the_timer_still_runs_the_body() -> None:
    calls: list[float] = []
    took = await _run_until(calls, 3, asyncio.Event(), interval_s=0.05, poke=False)
    assert took >= 0.1  # two full pauses: nothing woke it


async def test_a_stop_ends_a_long_pause() -> None:
    stop = asyncio.Event()

    async def body() -> int:
        return 0

    task = asyncio.create_task(periodic("t", body, 60, batch=10, wake=asyncio.Event())(stop))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, timeout=2)


async def test_only_a_whole_batch_is_followed_by_another_pass_at_once() -> None:
    stop = asyncio.Event()
    done = [10, 10, 3, 10]  # what each pass finds; after the third, the loop should pause
    calls = 0

    async def body() -> int:
        nonlocal calls
        calls += 1
        return done.pop(0) if done else 0

    task = asyncio.create_task(periodic("t", body, 60, batch=10, wake=asyncio.Event())(stop))
    await asyncio.sleep(0.2)
    assert calls == 3  # two whole batches, then a short one: paused for up to 60 s
    stop.set()
    await asyncio.wait_for(task, timeout=2)
