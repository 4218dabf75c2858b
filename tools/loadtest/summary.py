"""A load-test step summed up (requests/s, p50/p95/p99 per endpoint, errors) from the times the
locustfile recorded, and the Markdown report of all steps."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from tools.bench.targets import percentile

SETUP = "setup: "  # the locustfile's logins and CSRF reads, left out of the figures
LOCKED = "database is locked"


@dataclass
class Step:
    users: int
    seconds: int
    times: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, users: int, seconds: int, path: Path) -> "Step":
        if not path.exists():  # locust failed before writing anything
            return cls(users, seconds, failures={"locust": ["no results: locust did not run"]})
        data = json.loads(path.read_text())
        return cls(users, seconds, data["times"], data["failures"])

    @property
    def mix(self) -> dict[str, list[float]]:
        return {name: t for name, t in self.times.items() if not name.startswith(SETUP)}

    @property
    def errors(self) -> int:
        return sum(len(failed) for failed in self.failures.values())

    def figures(self, times: list[float]) -> str:
        if not times:
            return "– | – | – | –"
        rate = len(times) / self.seconds
        p50, p95, p99 = (percentile(times, share) for share in (0.5, 0.95, 0.99))
        return f"{rate:.1f} | {p50:.0f} | {p95:.0f} | {p99:.0f}"

    def every(self) -> list[float]:
        return [t for times in self.mix.values() for t in times]


def _passes_at(steps: list[Step], limit: float) -> str:
    for step in steps:
        every = step.every()
        if every and percentile(every, 0.95) > limit:
            return f"p95 passes {limit:g} ms at {step.users} concurrent users"
    return f"p95 stays within {limit:g} ms up to {steps[-1].users} concurrent users"


def _errors(steps: list[Step], server_log: str) -> list[str]:
    locked = server_log.count(LOCKED)
    tracebacks = server_log.count("Traceback")
    lines = [
        f"Errors: {sum(step.errors for step in steps)} failed requests; the server's log: "
        f'{locked} "{LOCKED}", {tracebacks} tracebacks.'
    ]
    for step in steps:
        for name, failed in step.failures.items():
            lines.append(f"- {step.users} users, {name}: {len(failed)} × {failed[0]}")
    return lines


def report(
    engine: str,
    settings: str,
    steps: list[Step],
    server_log: str,
    load: tuple[str, str],
    limit: float,
) -> str:
    lines = [
        f"## salesflow load test — {engine}",
        "",
        f"{settings}. Each step {steps[0].seconds} s; think time 0.5–2 s; the machine's load "
        f"average (1, 5, 15 min) {load[0]} before, {load[1]} after. Times in ms; requests/s of "
        "the mix (logins apart).",
        "",
        "| users | requests/s | p50 | p95 | p99 | errors |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for step in steps:
        lines.append(f"| {step.users} | {step.figures(step.every())} | {step.errors} |")
    lines += ["", f"{_passes_at(steps, limit)}.", "", *_errors(steps, server_log), ""]
    for step in steps:
        lines += [
            f"### {step.users} users",
            "",
            "| endpoint | requests | requests/s | p50 | p95 | p99 |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, times in sorted(step.mix.items(), key=lambda item: -len(item[1])):
            lines.append(f"| {name} | {len(times)} | {step.figures(times)} |")
        lines.append("")
    return "\n".join(lines)
