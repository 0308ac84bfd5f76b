"""Access to the app's collaborators from inside a request."""

from flask import current_app

from regiograph.config import Config
from regiograph.store import Store


def store() -> Store:
    return current_app.extensions["regiograph.store"]


def config() -> Config:
    return current_app.config["REGIOGRAPH"]
