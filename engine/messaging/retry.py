"""SNS delivery retry policies, per protocol, with AWS's numbers.

Each policy is a list of phases (tries, first delay, last delay). The phases count every try,
the first one included, so the totals are AWS's: 3 + 2 + 10 + 100,000 = 100,015 tries for SQS and
Lambda; 0 + 2 + 10 + 38 = 50 for email; 1 + 3 = 4 for HTTP/S (three retries 20 s apart, the
default delivery policy). A delay is the wait before a try; the backoff phase spreads its delays
geometrically from the first to the last (AWS's "exponential" backoff function).
"""
from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate

Phase = tuple[int, float, float]

AWS_MANAGED: tuple[Phase, ...] = ((3, 0.0, 0.0), (2, 1.0, 1.0), (10, 1.0, 20.0), (100_000, 20.0, 20.0))
CUSTOMER_MANAGED: tuple[Phase, ...] = ((0, 0.0, 0.0), (2, 10.0, 10.0), (10, 10.0, 600.0), (38, 600.0, 600.0))
HTTP_DEFAULT: tuple[Phase, ...] = ((1, 0.0, 0.0), (3, 20.0, 20.0))


class RetrySchedule:
    def __init__(self, name: str, phases: tuple[Phase, ...]) -> None:
        self.name = name
        self.phases = [p for p in phases if p[0] > 0]
        self._ends = list(accumulate(p[0] for p in self.phases))
        self.total = self._ends[-1]

    def delay_before(self, attempt: int) -> float | None:
        """Seconds to wait before try number `attempt` (2 and up); None when the tries are over."""
        if attempt > self.total:
            return None
        i = bisect_left(self._ends, attempt)
        tries, first, last = self.phases[i]
        k = attempt - (self._ends[i] - tries) - 1   # index of the try within its phase
        if tries == 1 or first == last or first <= 0:
            return first
        return first * (last / first) ** (k / (tries - 1))

    def offsets(self) -> list[float]:
        """When each try happens, from the first (for tests and help texts)."""
        out, t = [0.0], 0.0
        for attempt in range(2, self.total + 1):
            t += self.delay_before(attempt) or 0.0
            out.append(t)
        return out


SCHEDULES = {"sqs": RetrySchedule("SQS", AWS_MANAGED), "lambda": RetrySchedule("Lambda", AWS_MANAGED),
             "email": RetrySchedule("email", CUSTOMER_MANAGED), "http": RetrySchedule("HTTP/S", HTTP_DEFAULT)}
