from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from salesflow.extensions import db


class JobRun(db.Model):
    """One run of one job for one period (`run_key`, e.g. the day or the ISO week). The unique
    (job, run_key) is the claim: whichever process inserts it first runs the job, every other
    scheduler (or web process) skips it, so each run happens once."""

    __tablename__ = "job_runs"
    __table_args__ = (sa.UniqueConstraint("job", "run_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    job: so.Mapped[str] = so.mapped_column(sa.String(60))
    run_key: so.Mapped[str] = so.mapped_column(sa.String(40))
    worker: so.Mapped[str] = so.mapped_column(sa.String(120))  # host:pid that claimed it
    started_at: so.Mapped[datetime]
    finished_at: so.Mapped[datetime | None]
    status: so.Mapped[str] = so.mapped_column(sa.String(10))  # running, done, failed
    detail: so.Mapped[str | None] = so.mapped_column(sa.Text)  # a summary, or the error
