"""Lambda's containers, locally (local/containers.py): one event at a time each, more under load,
a timeout kills, idle extras go."""

from __future__ import annotations

import threading

import pytest

from local.containers import FunctionError, Functions, Limits, base_environment

FUNCTION = "generate-sweeper"  # a scheduled function: its handler imports without AWS


@pytest.fixture
def functions(monkeypatch, tmp_path):
    # A stand-in handler: the container imports the handler string the route table names
    handlers = tmp_path / "handlers"
    handlers.mkdir()
    (handlers / "standin.py").write_text(
        "import os, time\n"
        "def handler(event, context):\n"
        "    time.sleep(event.get('sleep', 0))\n"
        "    return {'pid': os.getpid(), 'name': os.environ['WHO'], 'left': context.get_remaining_time_in_millis()}\n")
    from studio import routes

    spec = routes.function(FUNCTION)
    monkeypatch.setattr(routes, "function", lambda name: type(spec)(**{**spec.__dict__, "handler": "standin.handler"}))

    def environment(name: str) -> dict[str, str]:
        env = base_environment()
        env["PYTHONPATH"] = f"{handlers}:{env['PYTHONPATH']}"
        return {**env, "WHO": name}

    pool = Functions(environment, {FUNCTION: Limits(timeout_ms=3000, max_containers=2)})
    yield pool
    pool.stop()


def test_a_container_keeps_its_environment_and_serves_event_after_event(functions):
    first, context = functions.invoke(FUNCTION, {})
    second, _ = functions.invoke(FUNCTION, {})
    assert first["name"] == FUNCTION and first["pid"] == second["pid"]  # the warm container again
    assert 0 < first["left"] <= 3000 and context.function_name.endswith(FUNCTION)


def test_events_at_once_get_containers_of_their_own_up_to_the_limit(functions):
    results = []
    threads = [threading.Thread(target=lambda: results.append(functions.invoke(FUNCTION, {"sleep": 0.5})[0]))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 3 and len({r["pid"] for r in results}) == 2  # two containers, the third event waited


def test_an_event_past_the_timeout_is_cut_short_and_its_container_killed(functions):
    with pytest.raises(FunctionError) as error:
        functions.invoke(FUNCTION, {"sleep": 30})
    assert error.value.kind == "Sandbox.Timedout"
    assert functions.invoke(FUNCTION, {})[0]["name"] == FUNCTION  # a new container serves the next event


def test_idle_containers_beyond_the_first_are_stopped(functions):
    threads = [threading.Thread(target=functions.invoke, args=(FUNCTION, {"sleep": 0.5})) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert functions.reap(idle_seconds=-1) == 1  # both are idle: one stays warm
    assert functions.reap(idle_seconds=-1) == 0


def test_a_container_is_out_of_reach_of_the_terminals_ctrl_c(functions):
    import os

    # Given a running container
    first, _ = functions.invoke(FUNCTION, {})
    # Then it runs in a process group of its own: Ctrl+C in the terminal reaches `make local` only, which
    # stops its containers itself (before, each died mid-call and printed a KeyboardInterrupt traceback)
    assert os.getpgid(first["pid"]) != os.getpgrp()
