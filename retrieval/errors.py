"""Errors a user can act on; front ends print their message, never a traceback."""


class BusanBotError(Exception):
    """Base for errors with a message meant for the person at the keyboard."""


class ConfigError(BusanBotError):
    pass


class CorpusError(BusanBotError):
    pass


class ModelError(BusanBotError):
    pass


class IndexError_(BusanBotError):
    """Index missing, corrupt, locked or unusable (named so as not to shadow IndexError)."""


class InputError(BusanBotError):
    pass
