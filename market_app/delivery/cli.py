"""`flask routes ...` commands."""
from flask.cli import AppGroup

routes_cli = AppGroup("routes", help="Route planning.")
