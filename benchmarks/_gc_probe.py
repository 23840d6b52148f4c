"""sgviz's daphne with a probe on CPython's garbage collector, for benchmarks only.

    python -m benchmarks._gc_probe PAUSES_FILE <daphne's arguments>

The server is ``config.daphne_server`` itself, with the same arguments and application; before
it starts, a ``gc.callbacks`` hook times every collection of the process and appends it to
PAUSES_FILE as a line of ``_harness.Pause`` (generation, wall pause, the collector's CPU
time, and for a full collection the tracked objects it scanned: counted before the pause is
timed, so the count is not in the pause). ``_harness.daphne(..., gc_pauses=path)`` starts it
and ``Server.gc_pauses`` reads the file.
"""

import gc
import sys
import time

from benchmarks._harness import FULL_COLLECTION, Pause


def install(path):
    output = open(path, "a", buffering=1)  # line-buffered: the benchmark reads each collection at once
    started = {}

    def probe(phase, info):
        generation = info["generation"]
        if phase == "start":
            started["objects"] = len(gc.get_objects()) if generation == FULL_COLLECTION else 0
            started["cpu"] = time.thread_time()
            started["wall"] = time.perf_counter()
        else:
            wall, cpu = time.perf_counter() - started["wall"], time.thread_time() - started["cpu"]
            output.write(Pause(generation, wall, cpu, started["objects"]).line())

    gc.callbacks.append(probe)


if __name__ == "__main__":
    import config.daphne_server

    install(sys.argv.pop(1))
    config.daphne_server.CommandLineInterface.entrypoint()
