"""Bare extension instances; create_app() wires them (STYLE.md rule 1)."""

from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from salesflow.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
