"""SimPy model of Squall's catalog scenario `arithmetic-five-attempts` (and the benchmark files
throughput-10k.yaml / throughput-1m.yaml): Poisson arrivals, lognormal LLM latency (median 800 ms,
p99 6 s), a 30 s attempt timeout, 1% independent 500s per call, 5 attempts with tenacity-style
exponential backoff (multiplier 1, min 1 s, max 60 s) and full jitter, and a failure-rate circuit
breaker (opens at >= 50% failures over >= 20 calls in a sliding 60 s window; 30 s recovery, 1
half-open probe; a rejection counts as an attempt and waits until the breaker's recovery time, like
Squall's `on_open: retry`).

It is the same model Squall's simulator runs, written the way a SimPy user would write it, so the
two can be timed side by side: `python simpy_model.py TASKS_PER_DAY [SEED]` prints one JSON line.
"""

import json
import math
import random
import sys
import time
from collections import deque

import simpy

Z99 = 2.326347874040841


class Breaker:
    def __init__(self, env, rate=0.5, minimum_calls=20, window=60.0, recovery=30.0, probes=1):
        self.env, self.rate, self.minimum_calls, self.window = env, rate, minimum_calls, window
        self.recovery, self.probes = recovery, probes
        self.state, self.open_until, self.generation, self.probes_out = "closed", 0.0, 0, 0
        self.outcomes, self.failed_in_window = deque(), 0
        self.transitions = 0

    def admit(self):
        now = self.env.now
        if self.state == "closed":
            return ("ok", self.generation, False)
        if self.state == "open":
            if now < self.open_until:
                return ("rejected", self.open_until, None)
            self._to("half_open")
        if self.probes_out < self.probes:
            self.probes_out += 1
            return ("ok", self.generation, True)
        return ("rejected", now + self.recovery, None)

    def record(self, failed, generation, probe):
        if generation != self.generation:
            return
        now = self.env.now
        if self.state == "closed":
            self.outcomes.append((now, failed))
            self.failed_in_window += failed
            while self.outcomes and self.outcomes[0][0] <= now - self.window:
                self.failed_in_window -= self.outcomes.popleft()[1]
            calls = len(self.outcomes)
            if calls >= self.minimum_calls and self.failed_in_window / calls >= self.rate:
                self._open()
        elif self.state == "half_open" and probe:
            if failed:
                self._open()
            else:
                self._to("closed")

    def _open(self):
        self.open_until = self.env.now + self.recovery
        self._to("open")

    def _to(self, state):
        self.state, self.generation, self.probes_out = state, self.generation + 1, 0
        self.outcomes, self.failed_in_window = deque(), 0
        self.transitions += 1


def run(tasks_per_day, seed=5005, duration=86400.0):
    rng = random.Random(seed)
    env = simpy.Environment()
    breaker = Breaker(env)
    mu = math.log(0.8)
    sigma = (math.log(6.0) - mu) / Z99
    stats = {"tasks": 0, "succeeded": 0, "failed": 0, "calls": 0, "latencies": []}

    def task(intended):
        attempt = 0
        while True:
            attempt += 1
            verdict, a, probe = breaker.admit()
            if verdict == "rejected":
                failed, hint = True, a - env.now
            else:
                stats["calls"] += 1
                latency = math.exp(mu + sigma * rng.gauss(0, 1))
                fault = rng.random() < 0.01
                if latency > 30.0:
                    yield env.timeout(30.0)
                    failed = True
                else:
                    yield env.timeout(latency)
                    failed = fault
                breaker.record(failed, a, probe)
                hint = None
                if not failed:
                    stats["succeeded"] += 1
                    stats["latencies"].append(env.now - intended)
                    return
            if attempt >= 5:
                stats["failed"] += 1
                stats["latencies"].append(env.now - intended)
                return
            v = min(60.0, max(1.0, 1.0 * 2 ** (attempt - 1)))
            delay = hint if hint is not None and 0 <= hint <= 60 else rng.uniform(min(1.0, v), v)
            yield env.timeout(delay)

    def arrivals():
        rate = tasks_per_day / 86400.0
        while True:
            yield env.timeout(rng.expovariate(rate))
            if env.now >= duration:
                return
            stats["tasks"] += 1
            env.process(task(env.now))

    env.process(arrivals())
    started = time.perf_counter()
    cpu_started = time.process_time()
    env.run()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    lat = sorted(stats["latencies"])
    p99 = lat[int(0.99 * (len(lat) - 1))] if lat else 0
    return {
        "tool": "simpy", "tasks_per_day": tasks_per_day, "tasks": stats["tasks"], "succeeded": stats["succeeded"],
        "failed": stats["failed"], "llm_calls": stats["calls"], "p99_latency_s": round(p99, 3),
        "breaker_transitions": breaker.transitions, "elapsed_s": round(elapsed, 3), "cpu_s": round(cpu, 3),
        "tasks_per_second": round(stats["tasks"] / elapsed) if elapsed > 0 else 0,
    }


if __name__ == "__main__":
    per_day = float(sys.argv[1]) if len(sys.argv) > 1 else 10000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 5005
    print(json.dumps(run(per_day, seed)))
