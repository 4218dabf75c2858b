"""The figures of requests between our people against a hand-built fixture (issue 16, "Tests that
must exist"): on-time rate, turnaround, lead time, rushes, average rating, the directors' time to
decide and the months — on a calendar with weekends and a configured holiday (Wednesday
2026-11-11) — the scope per role, and the drill-downs listing exactly the requests counted.

Every request is asked, needed and closed on known company days (10:00 in Shanghai):

| #  | to       | by     | asked      | needed by  | closed          | rating | lead | turnaround |
|----|----------|--------|------------|------------|-----------------|--------|------|------------|
| 1  | rep_a2   | rep_a  | Mon 11-09  | Fri 11-13  | done Thu 11-12  | 4      | 3    | 2 (holiday) |
| 2  | rep_a2   | rep_a  | Fri 11-06  | Mon 11-09  | done Tue 11-10  | 2      | 1 rush | 2, late |
| 3  | rep_a2   | rep_a  | Thu 11-12  | Thu 11-19  | open            |        | 5    |            |
| 4  | rep_a2   | rep_a  | Mon 10-05  | Fri 10-09  | done Fri 10-09  |        | 4    | 4, on time |
| 5  | rep_a2   | rep_a  | Mon 11-16  | Fri 11-20  | declined 11-17  | 1      | 4    |            |
| 6  | rep_b    | rep_b  | Mon 11-02  | Tue 11-03  | done Wed 11-04  | 5      | 1 rush | 2        |
| 7  | director_a (decision) | rep_a | Fri 11-13 | Tue 11-17 | decided Tue 11-17 | | | 2  |
| 8  | director_a (decision) | rep_a | Mon 11-02 | Wed 11-04 | decided Mon 11-09 | | | 5  |
| 9  | rep_a2   | rep_a  | Wed 07-01  | Fri 07-10  | done Thu 07-02  | 3      | outside the period |
"""

from datetime import UTC, date, datetime, time

import pytest

from salesflow.extensions import db
from salesflow.requests import figures
from salesflow.requests.figures import Filters
from salesflow.requests.models import InternalRequest, Status
from tests.conftest import sql_statements

HOLIDAY = "2026-11-11"


def _at(day: date) -> datetime:
    """10:00 in Shanghai on `day`."""
    return datetime.combine(day, time(2, 0), UTC)


def _request(world, number, assignee, requester, asked, needed, closed=None, **values):
    status = values.pop("status", Status.done if closed else Status.open)
    made = InternalRequest(
        kind=values.pop("kind", "solution_workshop"),
        title=f"Request {number}",
        account_id=world.account_a.id,
        requester_id=requester.id,
        assignee_id=assignee.id,
        needed_by=needed,
        status=status,
        created_at=_at(asked),
        done_at=_at(closed) if closed else None,
        **values,
    )
    db.session.add(made)
    return made


@pytest.fixture
def holiday(app, monkeypatch):
    monkeypatch.setitem(app.config, "COMPANY_HOLIDAYS", [HOLIDAY])


@pytest.fixture
def asked(world, holiday):
    """The requests of the table above, by number."""
    w, d = world, date
    made = {
        1: _request(
            w, 1, w.rep_a2, w.rep_a, d(2026, 11, 9), d(2026, 11, 13), d(2026, 11, 12), rating=4
        ),
        2: _request(
            w,
            2,
            w.rep_a2,
            w.rep_a,
            d(2026, 11, 6),
            d(2026, 11, 9),
            d(2026, 11, 10),
            rating=2,
            rush=True,
            rush_reason="The customer moved the meeting",
        ),
        3: _request(w, 3, w.rep_a2, w.rep_a, d(2026, 11, 12), d(2026, 11, 19)),
        4: _request(w, 4, w.rep_a2, w.rep_a, d(2026, 10, 5), d(2026, 10, 9), d(2026, 10, 9)),
        5: _request(
            w,
            5,
            w.rep_a2,
            w.rep_a,
            d(2026, 11, 16),
            d(2026, 11, 20),
            d(2026, 11, 17),
            status=Status.declined,
            rating=1,
        ),
        6: _request(
            w,
            6,
            w.rep_b,
            w.rep_b,
            d(2026, 11, 2),
            d(2026, 11, 3),
            d(2026, 11, 4),
            rating=5,
            rush=True,
            rush_reason="Tender deadline",
        ),
        7: _request(
            w,
            7,
            w.director_a,
            w.rep_a,
            d(2026, 11, 13),
            d(2026, 11, 17),
            d(2026, 11, 17),
            kind="decision",
        ),
        8: _request(
            w,
            8,
            w.director_a,
            w.rep_a,
            d(2026, 11, 2),
            d(2026, 11, 4),
            d(2026, 11, 9),
            kind="decision",
        ),
        9: _request(
            w, 9, w.rep_a2, w.rep_a, d(2026, 7, 1), d(2026, 7, 10), d(2026, 7, 2), rating=3
        ),
    }
    db.session.flush()
    return made


def _line(lines, key):
    (found,) = [line for line in lines if line.key == key]
    return found


def test_the_figures_of_a_person_count_working_days_around_weekends_and_holidays(world, now, asked):
    found = figures.request_figures(world.leader, Filters(), now=now)
    sr = _line(found.people, world.rep_a2.id)
    assert (found.start, found.end) == (date(2026, 8, 23), date(2026, 11, 20))  # 90 days
    assert (sr.received, sr.done, sr.on_time) == (5, 3, 2)  # #4 on the day, #2 a day late
    assert sr.on_time_rate == pytest.approx(2 / 3)
    assert sr.median_turnaround_days == 2  # of 2, 2, 4
    assert sr.median_lead_days == 4  # of 3, 1, 5, 4, 4
    assert (sr.rated, sr.average_rating) == (3, pytest.approx(7 / 3))  # the declined one too
    assert sr.rushes == 0  # rushes count for whoever asked
    rep = _line(found.people, world.rep_a.id)
    assert (rep.received, rep.rushes) == (0, 1)


def test_without_the_holiday_the_request_across_it_takes_a_day_longer(
    world, now, asked, monkeypatch, app
):
    monkeypatch.setitem(app.config, "COMPANY_HOLIDAYS", [])
    found = figures.request_figures(world.leader, Filters(), now=now)
    sr = _line(found.people, world.rep_a2.id)
    assert sr.median_turnaround_days == 3  # #1 took 3 working days: 3, 2, 4
    assert sr.median_lead_days == 4  # #1 left 4: 4, 1, 5, 4, 4


def test_teams_count_what_their_people_received_and_the_rushes_they_asked(world, now, asked):
    found = figures.request_figures(world.leader, Filters(), now=now)
    north, south = _line(found.teams, world.team_a.id), _line(found.teams, world.team_b.id)
    assert (north.name, north.received, north.done, north.rushes) == ("North", 5, 3, 1)
    assert (south.received, south.done, south.on_time_rate, south.rushes) == (1, 1, 0.0, 1)
    assert south.average_rating == 5


def test_decisions_give_each_directors_median_working_days_to_decide(world, now, asked):
    found = figures.request_figures(world.leader, Filters(), now=now)
    (director,) = found.directors
    assert (director.key, director.decided, director.median_decision_days) == (
        world.director_a.id,
        2,
        3.5,  # of 2 (Fri → Tue) and 5 (Mon → next Mon)
    )
    assert director.received == 0  # decisions stay out of the service figures
    assert world.director_a.id not in {line.key for line in found.people}


def test_by_month_the_closed_requests_turnaround_and_rating(world, now, asked):
    found = figures.request_figures(world.leader, Filters(), now=now)
    october, november = found.months
    assert (october.month, october.closed, october.median_turnaround_days) == ("2026-10", 1, 4)
    assert october.average_rating is None
    assert (november.month, november.closed, november.median_turnaround_days) == (
        "2026-11",
        4,  # 1, 2, 5 (declined) and 6
        2,
    )
    assert (november.rated, november.average_rating) == (4, 3)  # 4, 2, 1, 5


def test_a_director_sees_their_team_only(world, now, asked):
    found = figures.request_figures(world.director_a, Filters(), now=now)
    assert [line.key for line in found.teams] == [world.team_a.id]
    assert world.rep_b.id not in {line.key for line in found.people}
    assert [m.closed for m in found.months] == [1, 3]
    with pytest.raises(LookupError):
        figures.request_figures(world.director_a, Filters(team_id=world.team_b.id), now=now)


def test_a_team_filter_and_a_period_choose_the_requests_asked(world, now, asked):
    south = figures.request_figures(world.leader, Filters(team_id=world.team_b.id), now=now)
    assert [line.key for line in south.people] == [world.rep_b.id]
    july = Filters(start=date(2026, 7, 1), end=date(2026, 7, 31))
    (sr,) = figures.request_figures(world.leader, july, now=now).people
    assert (sr.key, sr.received, sr.average_rating) == (world.rep_a2.id, 1, 3)


@pytest.mark.parametrize(
    ("figure", "by", "key", "numbers"),
    [
        ("received", "person", "rep_a2", [1, 2, 3, 4, 5]),
        ("done", "person", "rep_a2", [1, 2, 4]),
        ("on_time", "person", "rep_a2", [1, 4]),
        ("rated", "person", "rep_a2", [1, 2, 5]),
        ("rushes", "person", "rep_a", [2]),
        ("rushes", "team", "team_a", [2]),
        ("received", "team", "team_b", [6]),
        ("decided", "person", "director_a", [7, 8]),
        ("closed", "month", "2026-11", [1, 2, 5, 6]),
        ("closed", "month", "2026-10", [4]),
    ],
)
def test_a_drill_down_lists_exactly_the_requests_counted(
    world, now, asked, figure, by, key, numbers
):
    key = key if by == "month" else str(getattr(world, key).id)
    ids = figures.drill(world.leader, Filters(), figure, by, key, now=now)
    assert ids == [asked[n].id for n in numbers]


def test_a_drill_down_of_an_unknown_figure_is_refused(world, now):
    with pytest.raises(LookupError):
        figures.drill(world.leader, Filters(), "bogus", "person", "1", now=now)


def test_the_figures_take_the_same_two_queries_for_few_or_many_requests(world, now, asked):
    with sql_statements() as few:
        figures.request_figures(world.leader, Filters(), now=now)
    for n in range(30):
        _request(world, 100 + n, world.rep_a2, world.rep_a, date(2026, 11, 2), date(2026, 11, 30))
    db.session.flush()
    with sql_statements() as many:
        found = figures.request_figures(world.leader, Filters(), now=now)
    assert _line(found.people, world.rep_a2.id).received == 35
    assert len(many) == len(few) <= 3  # the team check only with a team filter


def test_asked_at_the_edges_of_the_period_counts_by_the_company_day(world, now, holiday):
    # 16:30 UTC on 08-22 is already 00:30 on 08-23 in Shanghai: the period's first day
    first = _request(world, 1, world.rep_a2, world.rep_a, date(2026, 8, 23), date(2026, 8, 31))
    first.created_at = datetime(2026, 8, 22, 16, 30, tzinfo=UTC)
    before = _request(world, 2, world.rep_a2, world.rep_a, date(2026, 8, 22), date(2026, 8, 31))
    before.created_at = datetime(2026, 8, 22, 15, 59, tzinfo=UTC)
    db.session.flush()
    ids = figures.drill(
        world.leader, Filters(), "received", "person", str(world.rep_a2.id), now=now
    )
    assert ids == [first.id]
