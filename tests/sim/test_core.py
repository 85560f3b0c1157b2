from gigacluster.sim import EventLoop


def test_events_fire_in_time_priority_then_fifo_order() -> None:
    loop = EventLoop()
    seen: list[str] = []
    kind = loop.register(lambda t, p: seen.append(p))
    loop.schedule(2.0, kind, "c")
    loop.schedule(1.0, kind, "b", priority=1)
    loop.schedule(1.0, kind, "a", priority=0)
    loop.schedule(2.0, kind, "d")
    loop.run()
    assert seen == ["a", "b", "c", "d"]
    assert loop.now == 2.0 and loop.events_processed == 4


def test_handlers_can_schedule_and_until_stops() -> None:
    loop = EventLoop()
    times: list[float] = []

    def tick(t: float, _: object) -> None:
        times.append(t)
        loop.schedule(t + 1.0, k)

    k = loop.register(tick)
    loop.schedule(0.0, k)
    loop.run(until=4.5)
    assert times == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert len(loop) == 1
