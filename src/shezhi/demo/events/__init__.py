"""A year of event history in the demo district, made by the real workflow.

Nothing here writes an event's state: every event is reported with
``services.report_event`` and moved on with ``services.perform``, each at a
simulated moment (``at=``) by a simulated person who holds the role the step
needs, so the history rows, deadlines, counters, whistles and notifications
are exactly what the platform itself makes.

The figures follow the article (已处置微网格事件 1242 条, 办结率 98%, 满意度
95%) exactly, under the platform's own KPI definitions (``stats.kpis``), over
**the demo's year**: the 365 days that end two weeks before today (``demo_year``).
In that year exactly 1,242 events are handled (and closed), 25 are left open
past their deadlines (completion 1,242 / 1,267 = 98.0 %), and the residents'
ratings give a satisfaction rate of exactly 95 % (``calibrate``). The last two
weeks come after it. About 1,400 reports in all, spread over the district's
micro-grids (more in the dense town centre), from patrols, residents, the 12345
hotline and assignments from above. Most small ones are solved inside
the micro-grid by its own worker (小事不出网格); the rest go to the community or
a department. A few are voided or merged as duplicates, returned by a
department, reworked after a failed check, deferred, escalated, whistled to
departments, reopened by the reporter. Events of the last two weeks are left
open in every state, so queues, inboxes and deadline colours have something to
show, and every demo sign-in finds work waiting.

How it runs: every event's life is a generator that yields its next step (a
moment, an actor, an action); one heap replays all steps of all events in the
order of their moments, so an event is always acted on in the state it has at
that moment (a "me too" finds its master still open, a merge finds it valid).
Steps that would fall after that day's start are not taken: the event stays where it is.

The history's notifications are made by the services like any others, but not
sent on any channel (a year of SMS at once helps nobody): they wait in the
notification centre, dated when their steps happened, the older ones read.

Deterministic for a given seed and day (``demo_end``: the history stops at the start
of the local day the demo is built on, so every run that day makes the same one);
idempotent (it does nothing once the district has events).

The modules: ``figures`` and ``words`` (what happens, how often, in which words), ``plans``
(one event's plan and steps), ``cast`` (the people), ``clock`` (time, the demo's year),
``lives`` (one event's steps), ``planner`` (who reports what, and what becomes of it),
``showcase`` (what each sign-in finds waiting), ``simulation`` (running it all).
"""

from .clock import demo_end, demo_year
from .figures import DISTRICT_CODE
from .simulation import Outcome, build_demo_events

__all__ = ["DISTRICT_CODE", "Outcome", "build_demo_events", "demo_end", "demo_year"]
